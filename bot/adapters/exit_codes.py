"""The exit codes of every vmbot command, in one place."""

EXIT_OK = 0
EXIT_DATA = 1  # the data, the model, the output or Slack failed
EXIT_USAGE = 2  # bad arguments or input: argparse's code too
EXIT_BELOW_MIN = 3  # `vmbot eval --min-accuracy`: the accuracy is under the threshold
EXIT_STOPPED = 128 + 15  # the shell's code for a process ended by SIGTERM

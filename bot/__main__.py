from bot.adapters.cli import main

raise SystemExit(main())

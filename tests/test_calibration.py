"""The threshold rule: best balanced accuracy, smoothed so one question cannot decide."""

from bot.calibration import Scored, best_threshold


def test_the_threshold_separates_right_answers_from_off_topic_questions() -> None:
    rows: list[Scored] = [(True, True, 0.9, False)] * 10 + [(False, False, 0.2, False)] * 10
    threshold, accuracy, rejection = best_threshold(rows)
    assert 0.2 < threshold <= 0.9 and accuracy == rejection == 1.0


def test_a_lone_spike_does_not_win_over_a_plateau() -> None:
    # One off-topic question at 0.655 makes 0.66 the plain best (0.98 against 0.975
    # everywhere from 0.31 to 0.57), though right answers thin out all around it.
    rows: list[Scored] = [(True, True, 0.9, False)] * 90
    rows += [(True, True, c, False) for c in (0.57, 0.59, 0.61, 0.63, 0.67, 0.68, 0.69, 0.7)]
    rows += [(True, True, 0.71, False), (True, True, 0.72, False)]
    rows += [(False, False, 0.3, False)] * 19 + [(False, False, 0.655, False)]
    threshold, accuracy, _ = best_threshold(rows)
    assert threshold < 0.57 and accuracy == 1.0


def test_a_set_without_out_of_scope_questions_does_not_crash() -> None:
    assert best_threshold([(True, True, 0.8, False)])[1] == 1.0

"""Shows the figures the system tests report (kills, deliveries, timers fired, rates) at the end of the run, also
when pytest captures their output."""
import harness


def pytest_terminal_summary(terminalreporter):
    if harness.FIGURES:
        terminalreporter.section("system test figures")
        for line in harness.FIGURES:
            terminalreporter.write_line(line)

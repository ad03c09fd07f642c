"""`flask metrics report`: the dashboard's figures as plain text."""
from __future__ import annotations

import re


def report(runner, *args: str):
    return runner.invoke(args=["metrics", "report", "--from", "2026-11-01", "--to", "2026-11-08", *args])


def line(output: str, start: str) -> str:
    return next(text for text in output.splitlines() if text.strip().startswith(start))


def test_report_prints_the_hand_counted_figures(runner, shop):
    result = report(runner)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Marketplace metrics 2026-11-01 to 2026-11-07 (7 days), compared with 2026-10-25 to "
                          "2026-10-31\n")
    assert re.search(r"GMV \(USD\)\s+\$251\.00\s+previous \$50\.00\s+change \+402\.0%", out)
    assert re.search(r"Conversion rate\s+20\.0%\s+previous 50\.0%\s+change -30\.0 pts", out)
    assert re.search(r"Refund rate\s+40\.0%\s+previous 0\.0%\s+change \+40\.0 pts\s+threshold 5\.0% CROSSED", out)
    assert re.search(r"Delivery time, 90th percentile\s+2\.9 days", out)
    # the tables follow their section, every row included
    assert re.search(r"SZ Audio Store\s+sz-audio\s+2\s+1\s+50\.0%\s+0\s+0\.0%", out)
    assert re.search(r"Started checkout\s+5\s+25\.0%\s+2\s+28\.6%", out)
    assert re.search(r"Insufficient funds\s+1\s+50\.0%", out)


def test_report_with_a_breakdown_and_in_another_language(runner, shop):
    result = report(runner, "--breakdown", "device", "--locale", "es")
    assert result.exit_code == 0, result.output
    # GMV by device: phones 240.00, computers 11.00 (Spanish number format)
    assert re.search(r"240,00\s*US\$", result.output) and re.search(r"11,00\s*US\$", result.output)


def test_report_on_an_empty_database_shows_dashes(runner):
    result = report(runner)
    assert result.exit_code == 0, result.output
    assert re.search(r"Conversion rate\s+—\s+previous —\s+change —", result.output)


def test_report_refuses_a_backwards_range(runner):
    result = runner.invoke(args=["metrics", "report", "--from", "2026-11-08", "--to", "2026-11-01"])
    assert result.exit_code == 2
    assert "--to must be after --from" in result.output

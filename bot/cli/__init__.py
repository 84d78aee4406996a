"""Command-line sub-commands; each area module exposes `register(subparsers)`."""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    from bot.cli import allowances, core, equipment, history, privacy, reports, webinars

    parser = argparse.ArgumentParser(prog="python -m bot", description="Hybrid work bot for the Flemish government")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for area in (core, equipment, allowances, webinars, reports, history, privacy):
        area.register(subparsers)
    return parser

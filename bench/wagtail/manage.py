#!/usr/bin/env python
"""The Wagtail anchor's manage.py; run with bench/.wagtail-venv/bin/python from bench/wagtail."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anchor.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

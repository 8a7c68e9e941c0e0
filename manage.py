#!/usr/bin/env python
"""Django's management entry point (the `smartseoul` command wraps the same settings)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartseoul.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

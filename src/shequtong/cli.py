"""The `shequtong` console script: manage.py under the product's own name."""

import os
import sys

# Subcommands whose natural name is a Python keyword.
ALIASES = {"import": "import_ledger"}


def command_argv(argv: list[str]) -> list[str]:
    """`shequtong check-deploy` runs the Django command `check_deploy`.

    Operators type hyphens (as the documentation writes the commands); Python module names
    cannot hold them. Only the subcommand (and the one after `help`) is renamed, never options
    or file names.
    """
    argv = list(argv)
    index = 2 if len(argv) > 2 and argv[1] == "help" else 1
    if len(argv) > index and not argv[index].startswith("-"):
        name = argv[index].replace("-", "_")
        argv[index] = ALIASES.get(name, name)
    return argv


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequtong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_argv(sys.argv))


if __name__ == "__main__":
    main()

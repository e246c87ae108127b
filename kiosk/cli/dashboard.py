"""Dashboard command: ``receiver-add-user`` (office side, issue 14)."""
import getpass
import sys
import time


def register(sub, common):
    p = sub.add_parser("receiver-add-user",
                       help="create a dashboard user (or set a new password/role); the password is asked for")
    p.add_argument("name", metavar="NAME", help="user name: 1-64 letters, digits, '.', '_', '-' or '@'")
    p.add_argument("--role", choices=("viewer", "admin"), default="viewer",
                   help="viewer: read only (default); admin: also manages users, devices and tokens")
    p.add_argument("--db", required=True, metavar="PATH|URL",
                   help="receiver database (SQLite file or postgresql:// URL)")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input (for scripts)")
    p.set_defaults(func=add_user_command)


def _password(args):
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def add_user_command(args):
    from kiosk.office.dashboard import auth
    from kiosk.office.db import StorageError, open_database, redact

    try:
        auth.check_name(args.name)
        password = _password(args)
    except (auth.UserError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        db = open_database(args.db)
    except StorageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    try:
        auth.add_user(db, args.name, password, args.role, time.time())
    except auth.UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        db.close()
    print(f"user {args.name} ({args.role}) saved in {redact(args.db)}; log in at the receiver's address")
    return 0

"""`flask bank import` and `flask bank export`."""

from flask.cli import AppGroup

bank_cli = AppGroup("bank", help="题库导入导出。")

"""Login throttling: failed logins are counted per account-and-IP, per account and per IP.

The account-and-IP limit is the tight one, so guessing from one address locks only that address
out of the account and the owner can still log in from their usual network. The per-account limit
is much looser and only stops guessing spread over many addresses; the per-IP limit stops one
address trying many accounts. Only failures count. Counters live in the rate limiter's storage
(memory, or Redis when `REDIS_URL` is set), so every app process shares them with Redis.
"""

import math
import time

from flask import current_app
from limits import parse_many

from app.extensions import limiter

LOCKED_MESSAGE = "登录失败次数过多，请 {minutes} 分钟后再试。"


def _counters(account: str, ip: str) -> list[tuple[str, tuple[str, ...]]]:
    account = account.strip().lower()
    return [
        ("LOGIN_RATE_LIMIT_ACCOUNT_IP", ("login-account-ip", account, ip)),
        ("LOGIN_RATE_LIMIT_ACCOUNT", ("login-account", account)),
        ("LOGIN_RATE_LIMIT_IP", ("login-ip", ip)),
    ]


def _limits(account: str, ip: str):
    for name, keys in _counters(account, ip):
        for item in parse_many(current_app.config[name]):
            yield item, keys


def wait_seconds(account: str, ip: str) -> int:
    """Seconds until `ip` may try to log in to `account` again; 0 when it may try now."""
    if not limiter.enabled:
        return 0
    strategy = limiter.limiter
    wait = 0.0
    for item, keys in _limits(account, ip):
        if not strategy.test(item, *keys):
            reset_at = strategy.get_window_stats(item, *keys).reset_time
            wait = max(wait, reset_at - time.time(), 1.0)
    return math.ceil(wait)


def locked_message(seconds: int) -> str:
    """The Chinese message telling how many whole minutes to wait (at least one)."""
    return LOCKED_MESSAGE.format(minutes=max(1, math.ceil(seconds / 60)))


def record_failure(account: str, ip: str) -> None:
    """Count one failed login against every limit."""
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    for item, keys in _limits(account, ip):
        strategy.hit(item, *keys)

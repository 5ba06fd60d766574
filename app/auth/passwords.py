"""Password hashing with argon2id and the password policy."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether the password matches; constant work when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, min_length: int = 8) -> list[str]:
    """Return the policy rules the password breaks, in Chinese."""
    problems = []
    if len(password) < min_length:
        problems.append(f"密码至少 {min_length} 位。")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        problems.append("密码须同时包含字母和数字。")
    return problems

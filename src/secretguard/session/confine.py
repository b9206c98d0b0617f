"""Kernel confinement applied to ourselves just before we exec bubblewrap, inherited by everything
the session starts: no process in it can trace or read the memory of another (seccomp), nor reach
an abstract unix socket or signal a process created outside the session (Landlock scopes).

Mount namespaces cannot hide abstract unix sockets (they live in the network namespace, which the
agent needs for its API), so the D-Bus or keyring daemon of a desktop session listening on one
stays reachable without Landlock's scope (Linux 6.12+, ABI 6). Where the kernel lacks it,
`available()` says so and the launcher tells the user; it never pretends.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
EPERM = 1

# BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_RET_K = 0x06

# (audit arch, syscall numbers of ptrace, process_vm_readv, process_vm_writev, kcmp, pidfd_getfd)
_ARCHES = {
    "x86_64": (0xC000003E, (101, 310, 311, 312, 438)),
    "aarch64": (0xC00000B7, (117, 270, 271, 272, 438)),
}
_X32 = tuple(0x40000000 + n for n in (521, 539, 540, 312, 438))
_I386 = (0x40000003, (26, 347, 348, 349, 438))

_LANDLOCK_CREATE_RULESET = {"x86_64": 444, "aarch64": 444}
_LANDLOCK_RESTRICT_SELF = {"x86_64": 446, "aarch64": 446}
_LANDLOCK_CREATE_RULESET_VERSION = 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1
_SCOPE_SIGNAL = 2


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _filter_program() -> bytes:
    """deny (EPERM) the syscalls that read another process; allow everything else."""
    arch, numbers = _ARCHES[platform.machine()]
    groups = [(arch, numbers + (_X32 if arch == 0xC000003E else ()))]
    if arch == 0xC000003E:
        groups.append(_I386)
    insns: list[tuple[int, int, int, int]] = []
    deny = ("deny",)
    allow = ("allow",)
    plan: list = [(_LD_W_ABS, 0, 0, 4)]  # seccomp_data.arch
    for index, (audit_arch, nrs) in enumerate(groups):
        plan.append(("jarch", audit_arch, f"g{index}"))
    plan.append(allow)
    for index, (_audit_arch, nrs) in enumerate(groups):
        plan.append(("label", f"g{index}"))
        plan.append((_LD_W_ABS, 0, 0, 0))  # seccomp_data.nr
        plan += [("jdeny", nr) for nr in nrs]
        plan.append(allow)
    plan.append(("label", "deny"))
    plan.append(deny)
    # resolve labels into positions
    positions: dict[str, int] = {}
    pos = 0
    for item in plan:
        if item[0] == "label":
            positions[item[1]] = pos
        else:
            pos += 1
    pos = 0
    for item in plan:
        kind = item[0]
        if kind == "label":
            continue
        if kind == "jarch":
            insns.append((_JEQ_K, positions[item[2]] - pos - 1, 0, item[1]))
        elif kind == "jdeny":
            insns.append((_JEQ_K, positions["deny"] - pos - 1, 0, item[1]))
        elif kind == "allow":
            insns.append((_RET_K, 0, 0, SECCOMP_RET_ALLOW))
        elif kind == "deny":
            insns.append((_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM))
        else:
            insns.append(item)
        pos += 1
    return b"".join(struct.pack("HBBI", *i) for i in insns)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when it has none (or it is disabled)."""
    number = _LANDLOCK_CREATE_RULESET.get(platform.machine())
    if number is None:
        return 0
    abi = _libc().syscall(number, None, ctypes.c_size_t(0), ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(abi, 0)


def available() -> list[str]:
    """What this kernel cannot do for the session, as lines for the user (empty: everything)."""
    missing = []
    if platform.machine() not in _ARCHES:
        missing.append(f"no seccomp filter for {platform.machine()}: processes in the session can trace each other")
    if landlock_abi() < 6:
        missing.append("this kernel has no Landlock scopes (Linux 6.12+): abstract unix sockets outside the "
                       "session (a desktop D-Bus or keyring daemon) stay reachable")
    return missing


def apply() -> None:
    """Confine this process and what it will exec. Raises OSError if the kernel refuses."""
    libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if platform.machine() in _ARCHES:
        program = _filter_program()
        buf = ctypes.create_string_buffer(program, len(program))
        fprog = struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(buf))
        fbuf = ctypes.create_string_buffer(fprog, len(fprog))
        if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.c_void_p(ctypes.addressof(fbuf)), 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "installing the seccomp filter failed")
    if landlock_abi() >= 6:
        # struct landlock_ruleset_attr { u64 handled_access_fs; u64 handled_access_net; u64 scoped; }
        attr = struct.pack("QQQ", 0, 0, _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL)
        abuf = ctypes.create_string_buffer(attr, len(attr))
        fd = libc.syscall(_LANDLOCK_CREATE_RULESET[platform.machine()], ctypes.c_void_p(ctypes.addressof(abuf)), ctypes.c_size_t(len(attr)),
                          ctypes.c_uint32(0))
        if fd < 0:
            raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
        try:
            if libc.syscall(_LANDLOCK_RESTRICT_SELF[platform.machine()], fd, ctypes.c_uint32(0)) != 0:
                raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
        finally:
            os.close(fd)

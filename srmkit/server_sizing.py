"""Mailbox server sizing for one year of growth, all servers at once (Method §2)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from srmkit import workload
from srmkit.assumptions import Assumptions
from srmkit.schema import Scenario, Server
from srmkit.study_results import MeasuredWrites, ServerSizing
from srmkit.units import SECONDS_PER_H, kib_to_mib

FloatArray = npt.NDArray[np.float64]


def _other_site(scenario: Scenario, site: str) -> str:
    return next(s.name for s in scenario.sites if s.name != site)


def _first_array(scenario: Scenario, site: str) -> str:
    return next(a.name for a in scenario.arrays if a.site == site)


def db_per_log(a: Assumptions, profile: str) -> float:
    """A profile's database writes per MiB of logs, without IOPS headroom: how a server measured
    by its hourly log counts writes its database (Method §2,
    :func:`srmkit.workload.db_to_log_volume_ratio`). [MiB/MiB]"""
    p = a.exchange_profiles[profile]
    return float(
        workload.db_to_log_volume_ratio(
            p.db_iops_per_mailbox,
            a.db_write_fraction,
            a.db_page_kib,
            p.logs_per_mailbox_per_day_count,
            a.log_file_mib,
            a.daily_profile_fraction,
        )
    )


def measured_writes(server: Server, a: Assumptions, users: float) -> MeasuredWrites | None:
    """A measured server's hourly writes at ``users`` mailboxes: the measurement's, scaled by the
    mailboxes (growth, a split or a what-if scale them like a profile's), without the profile's
    IOPS headroom; hourly log counts write the database in the profile's ratio to logs
    (Method §2, a measured profile). None for a server sized by its profile."""
    read = server.measurement
    if read is None:
        return None
    measurement, measured_users = read
    scale = users / measured_users
    logs = np.asarray(measurement.log_mib_h, dtype=float) * scale
    if measurement.db_write_mib_h is not None:
        db = np.asarray(measurement.db_write_mib_h, dtype=float) * scale
    else:
        db = logs * db_per_log(a, server.profile)
    gos = measurement.gos_write_mib_h
    return MeasuredWrites(
        source=measurement.source,
        kind=measurement.kind,
        log_mib_h=tuple(logs.tolist()),
        db_write_mib_h=tuple(db.tolist()),
        gos_write_mib_h=None if gos is None else tuple((np.asarray(gos) * scale).tolist()),
    )


Measured = tuple[MeasuredWrites, float, float] | None


def _measured(
    server: Server,
    a: Assumptions,
    users: float,
    profile_log_mib: float,
    profile_write_iops: float,
    memo: dict[tuple[object, ...], tuple[MeasuredWrites, float, float]],
) -> Measured:
    """A measured server's writes at ``users`` mailboxes, with its peak-hour database write
    IOPS and its day's log volume (the measurement's); None for a server sized by its profile.
    ``memo`` holds one sizing pass's by measurement, mailboxes and profile figures: servers
    alike share one record (10,000 servers of one log are one record, not 10,000)."""
    read = server.measurement
    if read is None:
        return None
    key = (id(read[0]), users / read[1], server.profile, profile_log_mib, profile_write_iops)
    if key not in memo:
        writes = measured_writes(server, a, users)
        assert writes is not None
        profile = a.daily_profile_fraction
        writes = dataclasses.replace(
            writes,
            profile_log_mib_h=tuple(workload.hourly_log_mib(profile_log_mib, profile).tolist()),
            profile_db_write_mib_h=tuple(
                workload.hourly_db_write_mib(profile_write_iops, profile, a.db_page_kib).tolist()
            ),
        )
        page_mib = float(kib_to_mib(a.db_page_kib))
        peak_iops = max(writes.db_write_mib_h) / page_mib / SECONDS_PER_H
        memo[key] = (writes, peak_iops, sum(writes.log_mib_h))
    return memo[key]


def size_servers(
    scenario: Scenario, a: Assumptions, year: int, growth: float
) -> list[ServerSizing]:
    """Size every mailbox server at ``year`` (users × ``growth``) in one vectorised pass
    (Method §2)."""
    servers = scenario.servers
    profiles = [a.exchange_profiles[s.profile] for s in servers]
    users = np.array([s.users for s in servers], dtype=float) * growth
    quota = np.array([s.mailbox_quota_gib for s in servers], dtype=float)
    iops_each = np.array([p.db_iops_per_mailbox for p in profiles], dtype=float)
    logs_each = np.array([p.logs_per_mailbox_per_day_count for p in profiles], dtype=float)
    given = np.array([s.storage_groups or 0 for s in servers], dtype=float)
    derived = workload.storage_groups_count(users, quota, a.db_overhead_fraction, a.max_db_gib)
    sgs = np.where(given > 0, np.ceil(given * growth - 1e-9), derived).astype(np.int64)
    iops = workload.db_iops_peak(users, iops_each, a.iops_headroom_fraction)
    write_iops = workload.db_write_iops_peak(iops, a.db_write_fraction)
    logs = workload.log_mib_per_day(users, logs_each, a.log_file_mib)
    users_per_sg = users / sgs
    db = workload.db_gib(users_per_sg, quota, a.db_overhead_fraction)
    db_lun = workload.db_lun_gib(db, a.content_index_fraction, a.lun_free_space_fraction)
    log_lun = workload.log_lun_gib(
        users_per_sg,
        logs_each,
        a.log_retention_days,
        a.log_overhead_fraction,
        a.log_file_mib,
        a.lun_free_space_fraction,
    )
    columns = zip(
        servers,
        users.tolist(),
        sgs.tolist(),
        users_per_sg.tolist(),
        np.asarray(iops).tolist(),
        np.asarray(write_iops).tolist(),
        np.asarray(logs).tolist(),
        np.asarray(db).tolist(),
        np.asarray(db_lun).tolist(),
        np.asarray(log_lun).tolist(),
        strict=True,
    )
    memo: dict[tuple[object, ...], tuple[MeasuredWrites, float, float]] = {}
    out = []
    for server, u, n_sg, per_sg, io, w_io, lg, d, d_lun, l_lun in columns:
        measured = _measured(server, a, u, lg, w_io, memo)
        out.append(
            ServerSizing(
                name=server.name,
                site=server.site,
                kind="mailbox",
                year=year,
                users=u,
                profile=server.profile,
                storage_groups=n_sg,
                users_per_sg=per_sg,
                db_iops_peak=io,
                db_write_iops_peak=w_io if measured is None else measured[1],
                log_mib_per_day=lg if measured is None else measured[2],
                db_gib=d,
                db_lun_gib=d_lun,
                log_lun_gib=l_lun,
                gos_luns=server.gos_luns,
                gos_lun_gib=a.gos_lun_gib,
                queue_luns=0,
                queue_lun_gib=0.0,
                source_array=server.array or _first_array(scenario, server.site),
                target_array=server.target_array
                or _first_array(scenario, _other_site(scenario, server.site)),
                measured=None if measured is None else measured[0],
            )
        )
    return out


def replicated_hourly_mib(vms: Sequence[ServerSizing], a: Assumptions, is_sync: bool) -> FloatArray:
    """VMs' replicated volume in each hour for the mode (Method §2, §4, §5): database writes
    scaled by the daily profile (× the MV/A transfer factor), logs and protected Hub Transport
    queue writes by the profile, and guest-OS writes; a measured server's own hourly writes
    (database writes × the same factor). The profile's are linear, so those VMs' totals are
    summed first. [MiB/h]"""
    factor = 1.0 if is_sync else a.async_db_transfer_factor
    profiled = [v for v in vms if v.measured is None]
    db = workload.hourly_db_write_mib(
        sum(v.db_write_iops_peak for v in profiled), a.daily_profile_fraction, a.db_page_kib
    )
    # Logs and a protected Hub Transport's queue writes follow the activity profile.
    logs = workload.hourly_log_mib(
        sum(v.log_mib_per_day + v.hub_write_mib_per_day for v in profiled),
        a.daily_profile_fraction,
    )
    out = np.asarray(db * factor + logs + a.gos_write_mib_per_h * len(profiled))
    # Servers alike share one record of measured writes (server_sizing's memo): each once.
    shared: dict[int, tuple[MeasuredWrites, int]] = {}
    for v in vms:
        if v.measured is not None:
            m, count = shared.get(id(v.measured), (v.measured, 0))
            shared[id(m)] = (m, count + 1)
    for m, count in shared.values():
        gos = a.gos_write_mib_per_h if m.gos_write_mib_h is None else m.gos_write_mib_h
        out = out + count * (np.multiply(m.db_write_mib_h, factor) + m.log_mib_h + gos)
    return np.asarray(out, dtype=float)

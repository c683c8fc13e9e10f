"""Mailbox server sizing for one year of growth, all servers at once (Method §2)."""

from __future__ import annotations

import numpy as np

from srmkit import workload
from srmkit.assumptions import Assumptions
from srmkit.schema import Scenario
from srmkit.study_results import ServerSizing


def _other_site(scenario: Scenario, site: str) -> str:
    return next(s.name for s in scenario.sites if s.name != site)


def _first_array(scenario: Scenario, site: str) -> str:
    return next(a.name for a in scenario.arrays if a.site == site)


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
    return [
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
            db_write_iops_peak=w_io,
            log_mib_per_day=lg,
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
        )
        for server, u, n_sg, per_sg, io, w_io, lg, d, d_lun, l_lun in columns
    ]

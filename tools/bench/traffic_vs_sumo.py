# SPDX-License-Identifier: Apache-2.0
"""Runs the neutral-format traffic cases in citytwin (1 and 2 threads) and in SUMO, one after
the other, and prints the comparison table. Called by tools/bench/traffic_vs_sumo."""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

CASES = ["grid10_10k", "grid30_10k", "grid30_50k", "aachen_5k"]

SCENARIO = """name: {case}
description: Benchmark case {case} (neutral format), IDM vehicles, routes given.
time:
  start: 2026-01-01T00:00:00+00:00
  duration: 24h
  tick: 1s
seed: 42
models:
  traffic:
    type: traffic.micro
    period: 1s
    network: {{bench: {net}}}
    demand: {{bench: {net}/demand_{case}.csv.gz, routes: given}}
    vtypes: {{bench: {bench}/vtypes/vtypes.csv, variant: idm}}
"""


def timed(cmd, cwd=None, env=None):
    """Runs cmd under /usr/bin/time; returns (wall s, peak RSS MB, stdout, stderr)."""
    full = ["/usr/bin/time", "-f", "TIMEV %e %M"] + cmd
    p = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    m = re.findall(r"TIMEV ([0-9.]+) ([0-9]+)", p.stderr)
    wall, rss = float(m[-1][0]), int(m[-1][1]) / 1024.0
    return wall, rss, p.stdout, p.stderr


def run_citytwin(exe, bench, case, threads, work):
    net = os.path.join(bench, case.split("_")[0])
    path = os.path.join(work, f"{case}.yaml")
    with open(path, "w") as f:
        f.write(SCENARIO.format(case=case, net=net, bench=bench))
    out = os.path.join(work, f"{case}-t{threads}")
    wall, rss, _, err = timed([exe, "run", path, "--threads", str(threads), "--quiet",
                               "--out", out])
    kpi = {}
    with open(os.path.join(out, "kpis.csv")) as f:
        for row in csv.DictReader(f):
            kpi[row["kpi"]] = float(row["value"]) if row["value"] not in ("", "nan") else None
    return {
        "wall": wall, "rss": rss,
        "mean_tt": kpi["traffic.mean_travel_time_s"],
        "arrived": int(kpi["traffic.vehicles_arrived"]),
        "inserted": int(kpi["traffic.vehicles_inserted"]),
        "updates": kpi["traffic.vehicle_updates"],
        "teleports": int(kpi["traffic.teleports"]),
        "co2_kg": kpi.get("traffic.co2_kg"),
        "nox_kg": kpi.get("traffic.nox_kg"),
        "km": kpi["traffic.vehicle_km"],
    }


def run_sumo(bench, case, work):
    netdir = os.path.join(bench, case.split("_")[0])
    stats = os.path.join(work, f"{case}-sumo-stats.xml")
    env = dict(os.environ, SUMO_HOME="/usr/share/sumo")
    cmd = ["sumo", "-n", "sumo/net.net.xml.gz", "-r", f"sumo/{case}.rou.xml.gz",
           "-a", "../vtypes/idm.add.xml", "--step-length", "1.0", "--seed", "42",
           "--threads", "1", "--no-step-log", "--duration-log.statistics", "--no-warnings",
           "--statistic-output", stats]
    wall, rss, out, err = timed(cmd, cwd=netdir, env=env)
    root = ET.parse(stats).getroot()
    veh = root.find("vehicles")
    trip = root.find("vehicleTripStatistics")
    tele = root.find("teleports")
    steps = root.find("performance")
    updates = None
    m = re.search(r"UPS: ([0-9.]+)", out + err)
    if m:
        updates = float(m.group(1)) * wall
    return {
        "wall": wall, "rss": rss,
        "mean_tt": float(trip.get("duration")),
        "arrived": int(veh.get("inserted")) - int(veh.get("running")) - int(veh.get("waiting")),
        "inserted": int(veh.get("inserted")),
        "updates": updates,
        "teleports": int(tele.get("total")) if tele is not None else 0,
        "ups": float(m.group(1)) if m else None,
        "steps": steps,
    }


def run_sumo_emissions(bench, case, work):
    """SUMO again, untimed, with the emissions device on every vehicle (HBEFA3, SUMO 1.15's
    default class PC_G_EU4): total CO2 and NOx from the trip information."""
    netdir = os.path.join(bench, case.split("_")[0])
    tripinfo = os.path.join(work, f"{case}-sumo-tripinfo.xml")
    env = dict(os.environ, SUMO_HOME="/usr/share/sumo")
    cmd = ["sumo", "-n", "sumo/net.net.xml.gz", "-r", f"sumo/{case}.rou.xml.gz",
           "-a", "../vtypes/idm.add.xml", "--step-length", "1.0", "--seed", "42",
           "--threads", "1", "--no-step-log", "--no-warnings",
           "--device.emissions.probability", "1", "--tripinfo-output", tripinfo]
    p = subprocess.run(cmd, cwd=netdir, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    root = ET.parse(tripinfo).getroot()
    co2 = sum(float(e.get("CO2_abs")) for e in root.iter("emissions"))
    nox = sum(float(e.get("NOx_abs")) for e in root.iter("emissions"))
    km = sum(float(t.get("routeLength")) for t in root.iter("tripinfo")) / 1000.0
    return {"co2_kg": co2 / 1e6, "nox_kg": nox / 1e6, "km": km}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--citytwin", required=True)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--bench", default=os.path.normpath(
        os.path.join(os.path.dirname(__file__), "../../../shared/bench/traffic")))
    ap.add_argument("--no-sumo", action="store_true")
    ap.add_argument("--emissions", action="store_true",
                    help="also run SUMO with its emissions device (untimed) and compare CO2, NOx")
    a = ap.parse_args()
    bench = os.path.abspath(a.bench)
    if not os.path.isdir(bench):
        sys.exit(f"no benchmark cases at {bench} (pass --bench DIR)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="traffic-bench-") as work:
        for case in a.cases.split(","):
            print(f"== {case}", file=sys.stderr, flush=True)
            c1 = run_citytwin(a.citytwin, bench, case, 1, work)
            c2 = run_citytwin(a.citytwin, bench, case, 2, work)
            s = None if a.no_sumo else run_sumo(bench, case, work)
            if s is not None and a.emissions:
                s["emissions"] = run_sumo_emissions(bench, case, work)
            rows.append((case, c1, c2, s))
    print()
    print("| case | SUMO wall [s] | citytwin 1 thread [s] | x SUMO | citytwin 2 threads [s] | x SUMO "
          "| citytwin updates/s (1 t) | SUMO updates/s | peak RSS citytwin / SUMO [MB] "
          "| mean travel time citytwin / SUMO [s] | diff | arrived citytwin / SUMO "
          "| teleports citytwin / SUMO |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case, c1, c2, s in rows:
        if s is None:
            print(f"| {case} | - | {c1['wall']:.2f} | - | {c2['wall']:.2f} | - | "
                  f"{c1['updates'] / c1['wall'] / 1e6:.2f} M | - | {c1['rss']:.0f} / - | "
                  f"{c1['mean_tt']:.1f} / - | - | {c1['arrived']} / - | {c1['teleports']} / - |")
            continue
        diff = (c1["mean_tt"] - s["mean_tt"]) / s["mean_tt"] * 100
        sups = f"{s['ups'] / 1e3:.0f} k" if s.get("ups") else "-"
        print(f"| {case} | {s['wall']:.2f} | {c1['wall']:.2f} | {s['wall'] / c1['wall']:.1f} | "
              f"{c2['wall']:.2f} | {s['wall'] / c2['wall']:.1f} | "
              f"{c1['updates'] / c1['wall'] / 1e6:.2f} M | {sups} | "
              f"{c1['rss']:.0f} / {s['rss']:.0f} | {c1['mean_tt']:.1f} / {s['mean_tt']:.1f} | "
              f"{diff:+.1f} % | {c1['arrived']} / {s['arrived']} | "
              f"{c1['teleports']} / {s['teleports']} |")

    if not a.emissions or a.no_sumo:
        return
    print()
    print("| case | CO2 citytwin / SUMO [kg] | diff | NOx citytwin / SUMO [kg] | diff "
          "| CO2 per km citytwin / SUMO [g] |")
    print("|---|---:|---:|---:|---:|---:|")
    for case, c1, _, s in rows:
        e = s["emissions"]
        print(f"| {case} | {c1['co2_kg']:.1f} / {e['co2_kg']:.1f} | "
              f"{(c1['co2_kg'] / e['co2_kg'] - 1) * 100:+.1f} % | "
              f"{c1['nox_kg']:.3f} / {e['nox_kg']:.3f} | "
              f"{(c1['nox_kg'] / e['nox_kg'] - 1) * 100:+.1f} % | "
              f"{c1['co2_kg'] * 1000 / c1['km']:.0f} / {e['co2_kg'] * 1000 / e['km']:.0f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ferry benchmarks: ferry against libmtp and android-file-transfer on the
same virtual device (ferry-vdev), in one run, as ratios.

Every case runs each tool inside a fresh ferry-vdev; the time is the
command's wall time as ferry-vdev measures it (fork to exit, so process
start, device open and session count for every tool alike), and the
round trips and ioctls are ferry-vdev's counters. Each case runs N times;
the table shows the median and the spread (min-max).

Peers: "libmtp" is libmtp's API in one session (bench/peer-libmtp.c, what an
application linking libmtp does); "mtp-tools" are libmtp's command-line
tools where one invocation covers the case; "aft" is android-file-transfer's
aft-mtp-cli in batch mode.

usage: bench.py --build BUILD_DIR [--runs N] [--quick] [--only CASE,...] [--json FILE]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

USB2_LIMIT = 53.248e6  # bytes/s of bulk payload on USB 2.0 high speed


class Bench:
    def __init__(self, args):
        self.b = os.path.abspath(args.build)
        self.runs = args.runs
        self.quick = args.quick
        self.skip = set(filter(None, args.skip.split(",")))
        self.tmp = tempfile.mkdtemp(prefix="ferry-bench.")
        self.results = []
        # In a build with shared libraries, build/ferry is libtool's wrapper
        # script: measured as such, every ferry run would include a bash
        # process (callgrind counted more of bash than of ferry). Run the
        # real programs against the built library instead.
        libs = os.path.join(self.b, ".libs")
        if os.path.isdir(libs):
            os.environ["LD_LIBRARY_PATH"] = libs + (":" + os.environ["LD_LIBRARY_PATH"]
                                                    if os.environ.get("LD_LIBRARY_PATH") else "")
        self.vdev = self.real("ferry-vdev")
        self.ferry = self.real("ferry")
        self.peer = self.real("bench", "peer-libmtp")
        self.fbench = self.real("bench", "ferry-bench")

    def real(self, *p):
        path = os.path.join(self.b, *p)
        inner = os.path.join(os.path.dirname(path), ".libs", os.path.basename(path))
        try:
            with open(path, "rb") as f:
                wrapper = b"libtool" in f.read(4096)
        except OSError:
            wrapper = False
        return inner if wrapper and os.access(inner, os.X_OK) else path

    # -- helpers -------------------------------------------------------
    def path(self, *p):
        return os.path.join(self.tmp, *p)

    def make_file(self, path, size, sparse=False):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            if sparse:
                f.truncate(size)
                return
            chunk = os.urandom(1 << 20)
            left = size
            while left:
                n = min(left, len(chunk))
                f.write(chunk[:n])
                left -= n

    def make_tree(self, root, nfiles, nfolders, size):
        per = max(1, nfiles // max(1, nfolders))
        made = 0
        for d in range(max(1, nfolders)):
            folder = os.path.join(root, "d%03d" % d) if nfolders else root
            os.makedirs(folder, exist_ok=True)
            for i in range(per):
                if made == nfiles:
                    return
                with open(os.path.join(folder, "f%05d.bin" % i), "wb") as f:
                    f.write(os.urandom(size))
                made += 1

    def vdev_run(self, storage, cmd, link="usb2", persona="compliant", devices=1, extra=None, env=None):
        """Runs cmd (a shell string) inside ferry-vdev; returns stats."""
        stats = self.path("stats.json")
        argv = [self.vdev, "-q", "--link", link, "--persona", persona, "--devices", str(devices),
                "-S", stats, "-s", "Internal storage=" + storage]
        argv += extra or []
        argv += ["--", "sh", "-c", cmd]
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, timeout=3600)
        try:
            with open(stats) as f:
                st = json.load(f)
        except (OSError, ValueError):
            st = {"elapsed_ms": float("nan"), "devices": [{}]}
        st["rc"] = p.returncode
        st["stdout"] = p.stdout.decode(errors="replace")
        st["stderr"] = p.stderr.decode(errors="replace")
        return st

    def record(self, case, tool, times, bytes_=0, extra=None, ok=True, link=None):
        ms = statistics.median(times) if times else float("nan")
        r = {"case": case, "tool": tool, "ok": ok, "median_ms": ms,
             "min_ms": min(times) if times else None, "max_ms": max(times) if times else None,
             "runs": len(times), "bytes": bytes_, "link": link}
        if bytes_ and times and ms > 0:
            r["mb_per_s"] = bytes_ / 1e3 / ms
            if link == "usb2":
                r["link_fraction"] = (bytes_ / (ms / 1e3)) / USB2_LIMIT
        if extra:
            r.update(extra)
        self.results.append(r)
        rate = (" %7.1f MB/s" % r["mb_per_s"]) if "mb_per_s" in r else ""
        print("  %-24s %-10s %9.1f ms [%s-%s]%s%s" % (
            case, tool, ms, "%.0f" % r["min_ms"] if times else "-", "%.0f" % r["max_ms"] if times else "-",
            rate, "" if ok else "  FAILED"), flush=True)
        return r

    def repeat(self, case, tool, prepare, cmd, check, bytes_=0, link="usb2", storage=None, **kw):
        if tool in self.skip:
            return None
        times, extra, ok = [], {}, True
        for _ in range(self.runs):
            dev = prepare()
            st = self.vdev_run(dev if storage is None else storage, cmd, link=link, **kw)
            good = st["rc"] == 0 and check()
            if not good:
                ok = False
                sys.stderr.write("%s/%s failed (rc %s): %s\n" % (case, tool, st["rc"], st["stderr"][-400:]))
                break
            times.append(st["elapsed_ms"])
            d = st["devices"][0]
            extra = {"round_trips": d.get("round_trips"), "ioctls": d.get("ioctls"), "urbs": d.get("urbs")}
        return self.record(case, tool, times, bytes_, extra, ok, link)

    # -- cases ---------------------------------------------------------
    def big(self, links):
        size = (32 if self.quick else 256) << 20
        src = self.path("src", "big.bin")
        self.make_file(src, size)
        out = self.path("out")
        for link in links:
            case = "big-down-%s" % link
            dev = self.path("dev-big")
            shutil.rmtree(dev, ignore_errors=True)
            os.makedirs(dev)
            shutil.copy(src, os.path.join(dev, "big.bin"))
            ids = self.vdev_run(dev, "mtp-files", link="none")["stdout"]
            m = re.search(r"File ID: (\d+)\s+Filename: big\.bin", ids)
            tid = m.group(1) if m else "1"

            def fresh_out():
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                return dev

            def same():
                return subprocess.run(["cmp", "-s", src, os.path.join(out, "big.bin")]).returncode == 0

            o = os.path.join(out, "big.bin")
            self.repeat(case, "ferry", fresh_out, "%s get /big.bin %s" % (self.ferry, o), same, size, link)
            self.repeat(case, "libmtp", fresh_out, "%s get big.bin %s" % (self.peer, o), same, size, link)
            self.repeat(case, "mtp-tools", fresh_out, "mtp-getfile %s %s >/dev/null 2>&1" % (tid, o), same, size,
                        link)
            self.repeat(case, "aft", fresh_out, "printf 'get big.bin %s\\n' | aft-mtp-cli -b >/dev/null 2>&1" % o,
                        same, size, link)
            case = "big-up-%s" % link

            def fresh_dev():
                shutil.rmtree(dev, ignore_errors=True)
                os.makedirs(dev)
                return dev

            def up_same():
                return subprocess.run(["cmp", "-s", src, os.path.join(dev, "big.bin")]).returncode == 0

            self.repeat(case, "ferry", fresh_dev, "%s put %s /" % (self.ferry, src), up_same, size, link)
            self.repeat(case, "libmtp", fresh_dev, "%s put %s" % (self.peer, src), up_same, size, link)
            self.repeat(case, "mtp-tools", fresh_dev, "mtp-sendfile %s big.bin >/dev/null 2>&1" % src, up_same,
                        size, link)
            self.repeat(case, "aft", fresh_dev, "printf 'put %s\\n' | aft-mtp-cli -b >/dev/null 2>&1" % src,
                        up_same, size, link)

    def trees(self):
        cases = [("small-files", 100 if self.quick else 1000, 0, 4096),
                 ("tree", 500 if self.quick else 5000, 20 if self.quick else 200, 1024)]
        for name, n, folders, size in cases:
            src = self.path("src-" + name, name)
            self.make_tree(src, n, folders, size)
            dev = self.path("dev-" + name)
            out = self.path("out-" + name)

            def diff_ok(a, b):
                return subprocess.run(["diff", "-rq", a, b], stdout=subprocess.DEVNULL).returncode == 0

            # up (the tree case is measured down only, as the issue asks)
            if name == "small-files":
                def fresh_dev():
                    shutil.rmtree(dev, ignore_errors=True)
                    os.makedirs(dev)
                    return dev
                check = lambda: diff_ok(src, os.path.join(dev, name))
                self.repeat(name + "-up", "ferry", fresh_dev, "%s put -r %s /" % (self.ferry, src), check,
                            n * size)
                self.repeat(name + "-up", "libmtp", fresh_dev, "%s put-tree %s" % (self.peer, src), check, n * size)
                self.repeat(name + "-up", "aft", fresh_dev,
                            "printf 'put %s\\n' | aft-mtp-cli -b >/dev/null 2>&1" % src, check, n * size)
            # down
            shutil.rmtree(dev, ignore_errors=True)
            os.makedirs(dev)
            shutil.copytree(src, os.path.join(dev, name))

            def fresh_out():
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                return dev
            check = lambda: diff_ok(src, os.path.join(out, name))
            self.repeat(name + "-down", "ferry", fresh_out, "%s get -r /%s %s" % (self.ferry, name, out), check,
                        n * size)
            self.repeat(name + "-down", "libmtp", fresh_out,
                        "%s get-tree %s %s/%s" % (self.peer, name, out, name), check, n * size)
            self.repeat(name + "-down", "aft", fresh_out,
                        "printf 'get %s %s/%s\\n' | aft-mtp-cli -b >/dev/null 2>&1" % (name, out, name), check,
                        n * size)

    def listing(self):
        n = 1000 if self.quick else 10000
        dev = self.path("dev-list")
        many = os.path.join(dev, "many")
        os.makedirs(many, exist_ok=True)
        for i in range(n):
            open(os.path.join(many, "o%05d.txt" % i), "w").close()
        noop = lambda: dev
        ok = lambda: True
        case = "list-%d" % n
        self.repeat(case, "ferry", noop, "%s ls /many | wc -l | grep -qx %d" % (self.ferry, n), ok)
        self.repeat(case, "libmtp", noop, "%s list many | grep -qx %d" % (self.peer, n), ok)
        self.repeat(case, "mtp-tools", noop, "mtp-files >/dev/null 2>&1", ok)
        self.repeat(case, "aft", noop, "printf 'ls many\\n' | aft-mtp-cli -b >/dev/null 2>&1", ok)

    def cancel(self):
        dev = self.path("dev-cancel")
        self.make_file(os.path.join(dev, "big.bin"), 64 << 20)
        n = 10 if self.quick else 30
        for persona in ["compliant", "samsung", "pixel", "gopro", "panasonic", "android", "busy", "noproplist"]:
            st = self.vdev_run(dev, "%s cancel /big.bin %d" % (self.fbench, n), persona=persona)
            try:
                r = json.loads(st["stdout"].strip().splitlines()[-1])
            except (ValueError, IndexError):
                r = {"error": st["stderr"][-300:]}
            r.update({"case": "cancel-latency", "tool": "ferry", "persona": persona, "ok": st["rc"] == 0})
            self.results.append(r)
            if "final_median_ms" in r:
                print("  %-24s %-10s final %6.2f ms median, %6.2f max; link ready %7.2f median, %7.2f max"
                      % ("cancel " + persona, "ferry", r["final_median_ms"], r["final_max_ms"],
                         r["ready_median_ms"], r["ready_max_ms"]), flush=True)
            else:
                print("  cancel %-17s FAILED %s" % (persona, r.get("error", "")), flush=True)

    def multi(self):
        size = (16 if self.quick else 64) << 20
        base = self.path("dev-multi")
        for k in [1, 2, 4, 8]:
            shutil.rmtree(base, ignore_errors=True)
            for d in range(1, k + 1):
                self.make_file(os.path.join(base, "device%d" % d, "big.bin"), size)
            if k == 1:
                os.rename(os.path.join(base, "device1", "big.bin"), os.path.join(base, "big.bin"))
            st = self.vdev_run(base, "%s multi /big.bin %d" % (self.fbench, k), devices=k)
            try:
                r = json.loads(st["stdout"].strip().splitlines()[-1])
            except (ValueError, IndexError):
                r = {"error": st["stderr"][-300:]}
            r.update({"case": "multi-device", "tool": "ferry", "link": "usb2", "ok": st["rc"] == 0})
            if "mb_per_s" in r:
                r["link_fraction_per_device"] = r["mb_per_s"] * 1e6 / k / USB2_LIMIT
                print("  %-24s %-10s %7.1f MB/s aggregate, %.0f%% of each link" % (
                    "multi %d devices" % k, "ferry", r["mb_per_s"], 100 * r["link_fraction_per_device"]),
                    flush=True)
            self.results.append(r)

    def tune(self):
        """URB depth and size: ferry-bench reading and writing a big object
        on the usb2 link and unpaced, and the cancel latency on usb2, per
        setting (docs/TUNING.md). Not part of the default run."""
        size = (16 if self.quick else 128) << 20
        dev = self.path("dev-tune")
        self.make_file(os.path.join(dev, "big.bin"), size)
        depths = [1, 2, 4, 8, 16]
        sizes = [64 << 10, 256 << 10, 1 << 20, 4 << 20]
        for link in ["usb2", "none"]:
            for d in depths:
                for z in sizes:
                    env = {"FERRY_URB_DEPTH": str(d), "FERRY_URB_SIZE": str(z)}
                    row = {"case": "tune", "tool": "ferry", "link": link, "urb_depth": d, "urb_size": z}
                    for what, cmd in [("read", "%s read /big.bin" % self.fbench),
                                      ("write", "%s write up.bin %d" % (self.fbench, size))]:
                        rates = []
                        for _ in range(self.runs):
                            st = self.vdev_run(dev, cmd, link=link, env=env)
                            try:
                                j = json.loads(st["stdout"].strip().splitlines()[-1])
                            except (ValueError, IndexError):
                                j = {}
                            if st["rc"] == 0 and j.get("bytes") == size:
                                rates.append(size / 1e3 / j["ms"])
                        row[what + "_mb_per_s"] = statistics.median(rates) if rates else None
                    if link == "usb2":
                        st = self.vdev_run(dev, "%s cancel /big.bin %d" % (self.fbench, 5 if self.quick else 15),
                                           link=link, env=env)
                        try:
                            j = json.loads(st["stdout"].strip().splitlines()[-1])
                            row["cancel_final_median_ms"] = j["final_median_ms"]
                            row["cancel_final_max_ms"] = j["final_max_ms"]
                        except (ValueError, IndexError, KeyError):
                            pass
                    row["ok"] = row["read_mb_per_s"] is not None and row["write_mb_per_s"] is not None
                    self.results.append(row)
                    fmt = lambda v: "%7.1f" % v if v is not None else "      -"
                    print("  tune %-4s depth %2d x %4d KiB  read %s MB/s  write %s MB/s%s" % (
                        link, d, z >> 10, fmt(row["read_mb_per_s"]), fmt(row["write_mb_per_s"]),
                        "  cancel %.1f/%.1f ms" % (row["cancel_final_median_ms"], row["cancel_final_max_ms"])
                        if "cancel_final_median_ms" in row else ""), flush=True)

    def cost(self):
        """CPU instructions per MiB (callgrind) and peak memory."""
        size = (8 if self.quick else 32) << 20
        dev = self.path("dev-cost")
        src = os.path.join(dev, "big.bin")
        self.make_file(src, size)
        out = self.path("out-cost")
        os.makedirs(out, exist_ok=True)
        ids = self.vdev_run(dev, "mtp-files", link="none")["stdout"]
        m = re.search(r"File ID: (\d+)\s+Filename: big\.bin", ids)
        tid = m.group(1) if m else "1"
        o = os.path.join(out, "x.bin")
        tools = {"ferry": "%s get /big.bin %s" % (self.ferry, o),
                 "libmtp": "%s get big.bin %s" % (self.peer, o),
                 "mtp-tools": "mtp-getfile %s %s" % (tid, o),
                 "aft": "printf 'get big.bin %s\\n' | aft-mtp-cli -b" % o}
        for tool, cmd in tools.items():
            if os.path.exists(o):
                os.unlink(o)
            prefix = "valgrind --tool=callgrind --callgrind-out-file=/dev/null --trace-children=yes " \
                     "--trace-children-skip='*/sh,*/printf' "
            if tool == "aft":
                cmd = "printf 'get big.bin %s\\n' | %saft-mtp-cli -b" % (o, prefix)
            else:
                cmd = prefix + cmd
            st = self.vdev_run(dev, cmd + " 2>&1 | grep 'Collected' ", link="none")
            irs = [int(x.replace(",", "")) for x in re.findall(r"Collected : ([\d,]+)", st["stdout"])]
            ir = sum(irs)
            r = {"case": "instructions-per-MiB", "tool": tool, "ok": bool(ir),
                 "instructions_per_mib": ir / (size / 2**20) if ir else None}
            self.results.append(r)
            print("  %-24s %-10s %s" % ("instructions/MiB", tool,
                                        "%.0f" % r["instructions_per_mib"] if ir else "FAILED"), flush=True)
        # peak memory: 256 MiB and 4 GiB objects (sparse), read and dropped
        for gib, name in [(0.25, "256M"), (4, "4G")]:
            dev2 = self.path("dev-mem")
            shutil.rmtree(dev2, ignore_errors=True)
            self.make_file(os.path.join(dev2, "huge.bin"), int(gib * (1 << 30)), sparse=True)
            meas = "python3 -c 'import resource,subprocess,sys;r=subprocess.run(sys.argv[1:]);" \
                   "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)' "
            st = self.vdev_run(dev2, meas + "%s read /huge.bin" % self.fbench, link="none")
            try:
                kb, rc = st["stdout"].strip().splitlines()[-1].split()
                r = {"case": "peak-memory", "tool": "ferry", "object": name, "max_rss_kib": int(kb),
                     "ok": rc == "0"}
            except ValueError:
                r = {"case": "peak-memory", "tool": "ferry", "object": name, "ok": False}
            self.results.append(r)
            print("  %-24s %-10s %s" % ("peak RSS " + name, "ferry",
                                        "%d KiB" % r["max_rss_kib"] if "max_rss_kib" in r else "FAILED"), flush=True)

    # -- report ----------------------------------------------------------
    def summary(self):
        print("\nratios (the best peer's median time / ferry's; > 1: ferry is faster)")
        by_case = {}
        for r in self.results:
            if "median_ms" in r and r.get("ok"):
                by_case.setdefault(r["case"], {})[r["tool"]] = r
        for case, tools in by_case.items():
            f = tools.get("ferry")
            peers = {t: r for t, r in tools.items() if t != "ferry"}
            if not f or not peers:
                continue
            best_t, best = min(peers.items(), key=lambda kv: kv[1]["median_ms"])
            ratio = best["median_ms"] / f["median_ms"]
            f["ratio_to_best_peer"] = ratio
            f["best_peer"] = best_t
            lf = (", %.1f%% of the USB 2.0 limit" % (100 * f["link_fraction"])) if "link_fraction" in f else ""
            rt = ""
            if f.get("round_trips") is not None and best.get("round_trips") is not None:
                rt = ", round trips %s vs %s" % (f["round_trips"], best["round_trips"])
            print("  %-24s %5.2fx vs %s%s%s" % (case, ratio, best_t, lf, rt))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small sizes, one run (the CI step)")
    ap.add_argument("--only", default="",
                    help="comma-separated: big,trees,listing,cancel,multi,cost; and tune (URB settings, "
                         "only when asked)")
    ap.add_argument("--links", default="usb2,usb3,none")
    ap.add_argument("--skip", default="", help="comma-separated peers not to run (libmtp,mtp-tools,aft): "
                    "aft-mtp-cli takes about 10 minutes for the 1,000 small files up")
    ap.add_argument("--json", default="bench-results.json")
    args = ap.parse_args()
    if args.quick:
        args.runs = 1
        args.links = "usb2"
    b = Bench(args)
    only = set(filter(None, args.only.split(",")))
    t0 = time.time()
    try:
        print("ferry benchmarks (%d run(s) each; times are ferry-vdev's fork-to-exit of each command)" % b.runs)
        if not only or "big" in only:
            b.big(args.links.split(","))
        if not only or "trees" in only:
            b.trees()
        if not only or "listing" in only:
            b.listing()
        if not only or "cancel" in only:
            b.cancel()
        if not only or "multi" in only:
            b.multi()
        if not only or "cost" in only:
            b.cost()
        if "tune" in only:
            b.tune()
        b.summary()
    finally:
        shutil.rmtree(b.tmp, ignore_errors=True)
    with open(args.json, "w") as f:
        json.dump({"runs": b.runs, "quick": args.quick, "seconds": time.time() - t0, "results": b.results}, f,
                  indent=1)
    print("\nresults: %s (%.0f s)" % (args.json, time.time() - t0))


if __name__ == "__main__":
    main()

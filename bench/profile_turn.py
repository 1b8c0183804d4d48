"""Where a Tactful chat turn spends its time: py-spy on the Rasa and the action server.

    .venv/bin/python bench/profile_turn.py --out /tmp/profile.txt
    .venv/bin/python bench/profile_turn.py --chats 20 --turns 5 --long-turns 100 \
        --tracker-db postgresql://postgres@127.0.0.1:5432/test

Starts a real assistant (tests/support/assistant.py: Rasa server, action
server, demo shop), warms it up, then samples both processes with py-spy while
REST chats run: ``--chats`` concurrent chats of ``--turns`` messages, then one
chat of ``--long-turns`` messages. The report lists, for each process, the
functions with the most samples on their own (self) and including what they
call (total), as shares of that process's busy samples (idle waits are not
sampled). Latencies are printed for orientation only; the comparison with a
bare Rasa bot is bench/bench_stack.py's job.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.assistant import Assistant, start_assistant  # noqa: E402

PY_SPY = Path(sys.executable).parent / "py-spy"
MESSAGES = ("hi", "where is my order?", "thanks, that helps", "what is your return policy?", "bye")
CUSTOMERS = ("C001", "C002", "C005", "C006", "C011")
# Leaves where a thread waits in C (a pool worker on its queue, the event loop
# in uvloop's poll): py-spy cannot tell these apart from work, so they are dropped.
IDLE_LEAVES = frozenset(
    {"_worker (concurrent/futures/thread.py)", "serve (sanic/server/runners.py)", "wait (threading.py)"}
)
# py-spy frames read "function (path/to/file.py:line)".
FRAME = re.compile(r"^(?P<name>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def pid_listening_on(port: int) -> int:
    """The process that serves ``port`` (its command line names it after --port)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for index, arg in enumerate(args[:-1]):
            if arg == b"--port" and args[index + 1] == str(port).encode():
                return int(entry.name)
    raise RuntimeError(f"no process with --port {port}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (robust to a busy machine, unlike latency)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def chat(
    assistant: Assistant,
    sender: str,
    customer: str,
    turns: int,
    latencies: list[float],
    cpu: tuple[int, list[float]] | None = None,
) -> None:
    """``turns`` messages in one chat; ``cpu`` = (pid, list) also records that process's CPU per turn."""
    for turn in range(turns):
        started, cpu_started = time.perf_counter(), cpu_seconds(cpu[0]) if cpu else 0.0
        assistant.say(sender, MESSAGES[turn % len(MESSAGES)], customer=customer)
        latencies.append(time.perf_counter() - started)
        if cpu:
            cpu[1].append(cpu_seconds(cpu[0]) - cpu_started)


def run_chats(assistant: Assistant, prefix: str, chats: int, turns: int) -> list[float]:
    latencies: list[float] = []
    threads = [
        threading.Thread(
            target=chat,
            args=(assistant, f"{prefix}-{index}", CUSTOMERS[index % len(CUSTOMERS)], turns, latencies),
        )
        for index in range(chats)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def short_frame(frame: str) -> str:
    match = FRAME.match(frame)
    if match is None:
        return frame
    path = match["file"]
    for marker in ("site-packages/", str(REPO_ROOT) + "/", "lib/python3.10/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['name']} ({path})"


def summarise(raw: Path, top: int) -> list[str]:
    """Self and total shares per function from py-spy's collapsed stacks."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        # The first frame is the thread ("process 1:..."/"thread (0x..)"); skip it.
        frames = [short_frame(frame) for frame in stack.split(";")[1:]] or ["(unknown)"]
        if frames[-1] in IDLE_LEAVES:
            continue
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    if samples == 0:
        return ["  (no samples)"]
    lines = [f"  busy samples: {samples}", "  self:"]
    lines += [f"    {100 * n / samples:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines.append("  total (including callees):")
    lines += [f"    {100 * n / samples:5.1f}%  {frame}" for frame, n in total.most_common(top)]
    return lines


def quantile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=10, help="concurrent chats (default 10)")
    parser.add_argument("--turns", type=int, default=5, help="messages per concurrent chat (default 5)")
    parser.add_argument("--long-turns", type=int, default=100, help="messages in the long chat (default 100)")
    parser.add_argument("--tracker-db", help="TACTFUL_TRACKER_DB (default: a SQLite file in the work dir)")
    parser.add_argument("--rate", type=int, default=100, help="samples per second (default 100)")
    parser.add_argument("--top", type=int, default=25, help="functions per list (default 25)")
    parser.add_argument("--out", type=Path, help="also write the report here")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tactful-profile-"))
    extra_env = {
        # The long chat sends more than the default 30 messages a minute.
        "TACTFUL_RATE_SENDER_PER_MINUTE": "100000",
        "TACTFUL_RATE_CUSTOMER_PER_MINUTE": "100000",
    }
    if options.tracker_db:
        extra_env["TACTFUL_TRACKER_DB"] = options.tracker_db
    run_id = f"prof{os.getpid()}x{int(time.time())}"
    with start_assistant(workdir, extra_env=extra_env) as assistant:
        run_chats(assistant, f"{run_id}-warm", 2, len(MESSAGES))
        raw = {name: workdir / f"{name}.raw" for name in ("rasa", "actions")}
        ports = {
            "rasa": int(assistant.rasa_url.rsplit(":", 1)[1]),
            "actions": int(assistant.action_url.rsplit(":", 1)[1]),
        }
        pids = {name: pid_listening_on(port) for name, port in ports.items()}
        spies = [
            subprocess.Popen(
                [
                    str(PY_SPY),
                    "record",
                    "--nonblocking",
                    "-r",
                    str(options.rate),
                    "-f",
                    "raw",
                    "-o",
                    str(raw[name]),
                    "-p",
                    str(pids[name]),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name in ports
        ]
        time.sleep(1.0)
        started, cpu_started = time.perf_counter(), cpu_seconds(pids["rasa"])
        concurrent = run_chats(assistant, f"{run_id}-c", options.chats, options.turns)
        elapsed, cpu_used = time.perf_counter() - started, cpu_seconds(pids["rasa"]) - cpu_started
        long_chat: list[float] = []
        long_cpu: list[float] = []
        chat(assistant, f"{run_id}-long", "C001", options.long_turns, long_chat, (pids["rasa"], long_cpu))
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)

    report = [
        f"Tactful turn profile ({options.chats} chats x {options.turns} turns, then one {options.long_turns}-turn chat;"
        f" tracker {'SQLite' if not options.tracker_db else options.tracker_db.split(':')[0]})",
        f"concurrent: {len(concurrent)} turns in {elapsed:.1f}s = {len(concurrent) / elapsed:.1f} turns/s,"
        f" p50 {1000 * statistics.median(concurrent):.0f} ms, p95 {1000 * quantile(concurrent, 0.95):.0f} ms",
        f"Rasa process CPU per turn (concurrent chats): {1000 * cpu_used / len(concurrent):.1f} ms",
    ]
    if len(long_chat) >= 20:
        first, last = statistics.mean(long_chat[:10]), statistics.mean(long_chat[-10:])
        report.append(
            f"long chat: first 10 turns {1000 * first:.0f} ms, last 10 {1000 * last:.0f} ms (x{last / first:.2f})"
        )
        cpu_first, cpu_last = statistics.mean(long_cpu[:10]), statistics.mean(long_cpu[-10:])
        report.append(
            f"long chat, Rasa CPU per turn: first 10 {1000 * cpu_first:.1f} ms, last 10 {1000 * cpu_last:.1f} ms"
            f" (x{cpu_last / max(cpu_first, 1e-9):.2f})"
        )
    for name, path in raw.items():
        report.append(f"{name} process:")
        report += summarise(path, options.top) if path.exists() else ["  (py-spy wrote nothing)"]
    text = "\n".join(report) + "\n"
    print(text)
    if options.out:
        options.out.write_text(text)


if __name__ == "__main__":
    main()

"""A small HTTP/1.1 keep-alive load generator, run in its own process.

Two modes: `max` (closed loop: N connections send back to back) for throughput, and `rate`
(open loop: requests are due at a fixed rate and latency counts from when each was due, so a
slow server cannot hide its queueing). Prints one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid

from bot.intake.signature import sign_sha256

BODY = json.dumps(
    {
        "action": "created",
        "installation": {
            "id": 4242,
            "account": {"login": "bench-org", "id": 99, "type": "Organization"},
        },
        "sender": {"login": "octocat", "id": 1},
    }
).encode()


def build_request(host: str, port: int, secret: str) -> bytes:
    headers = [
        "POST /api/github/webhooks HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "User-Agent: GitHub-Hookshot/bench",
        "X-GitHub-Event: installation",
        f"X-GitHub-Delivery: {uuid.uuid4()}",
        f"X-Hub-Signature-256: {sign_sha256(secret.encode(), BODY)}",
        f"Content-Length: {len(BODY)}",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + BODY


async def read_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        (
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length:")
        ),
        0,
    )
    await reader.readexactly(length)
    return status


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, request: bytes) -> int:
        self.writer.write(request)
        await self.writer.drain()
        return await read_status(self.reader)


async def open_connections(host: str, port: int, count: int) -> list[Connection]:
    return [Connection(*await asyncio.open_connection(host, port)) for _ in range(count)]


async def closed_loop(args: argparse.Namespace) -> dict[str, object]:
    connections = await open_connections(args.host, args.port, args.connections)
    requests = [build_request(args.host, args.port, args.secret) for _ in range(args.requests)]
    latencies: list[float] = []
    statuses: list[int] = []
    deadline = time.perf_counter() + args.duration

    async def drive(connection: Connection) -> None:
        while requests and time.perf_counter() < deadline:
            request = requests.pop()
            sent = time.perf_counter()
            statuses.append(await connection.send(request))
            latencies.append(time.perf_counter() - sent)

    started = time.perf_counter()
    await asyncio.gather(*(drive(connection) for connection in connections))
    return summarize(latencies, statuses, time.perf_counter() - started)


async def open_loop(args: argparse.Namespace) -> dict[str, object]:
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for connection in await open_connections(args.host, args.port, args.connections):
        pool.put_nowait(connection)
    count = min(args.requests, int(args.rate * args.duration))
    requests = [build_request(args.host, args.port, args.secret) for _ in range(count)]
    latencies: list[float] = []
    statuses: list[int] = []

    async def one(request: bytes, due: float) -> None:
        connection = await pool.get()
        try:
            statuses.append(await connection.send(request))
        finally:
            pool.put_nowait(connection)
        latencies.append(time.perf_counter() - due)

    started = time.perf_counter()
    tasks = []
    for index, request in enumerate(requests):
        due = started + index / args.rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(request, due)))
    await asyncio.gather(*tasks)
    return summarize(latencies, statuses, time.perf_counter() - started) | {
        "offered_rate": args.rate
    }


def summarize(latencies: list[float], statuses: list[int], seconds: float) -> dict[str, object]:
    ordered = sorted(latencies)

    def percentile(fraction: float) -> float:
        return (
            ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else 0.0
        )

    return {
        "requests": len(latencies),
        "seconds": round(seconds, 3),
        "requests_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(0.50), 2),
        "p99_ms": round(percentile(0.99), 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2) if ordered else 0.0,
        "non_2xx": sum(1 for status in statuses if not 200 <= status < 300),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--mode", choices=["max", "rate"], required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    args = parser.parse_args()
    run = closed_loop if args.mode == "max" else open_loop
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()

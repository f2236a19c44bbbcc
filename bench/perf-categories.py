#!/usr/bin/env python3
"""Where a server's CPU goes, from `perf script -F comm,tid,ip,sym,dso` (call graphs, DOTNET_PerfMapEnabled=1).

Each sample is put in exactly one category: the first rule below whose marker is on its stack (or its thread, or
its leaf) wins, so a JSON parse inside the handler counts as the parse, not as the handler. The CPU per request
measured around the same run (from /proc) is split in the samples' proportions.

usage: perf-categories.py --cpu-us-per-request X --label NAME < perf-script-output
Prints one line per category (`CATEGORY name=... share=... us_per_request=... runtime_share=...`); runtime_share
is the part of the category's samples whose innermost frame is in libcoreclr (allocation slow paths, write
barriers' helpers, type casts, GC work done on the request thread).
"""
import argparse
import sys
from collections import Counter

# (category, where to look, markers): where is "thread" (the thread's name), "stack" (any frame) or "leaf".
RULES = [
    ("GC threads (server GC)", "thread", (".NET Server GC", ".NET BGC")),
    ("JIT (tiered compilation)", "thread", (".NET Tiered Com",)),
    ("JSON parse (JsonDocument)", "stack", ("System.Text.Json.JsonDocument::Parse",)),
    ("repeated-member checks", "stack", ("Platform.Webhook.Mutation.RepeatedMembers::",)),
    ("mutation core (rules, patch, proof)", "stack", (
        "Platform.Webhook.Mutation.TemplateMutator::", "Platform.Webhook.Mutation.PodMutator::",
        "Platform.Webhook.Mutation.RayPodClassifier::", "Platform.Webhook.Mutation.RayResourceMutator::")),
    # The writer is inlined into the handler's Respond; the patch's values are written by JsonPatchSerializer.
    ("response JSON", "stack", (
        "Platform.Webhook.Admission.AdmissionResponseWriter::", "Platform.Webhook.Mutation.JsonPatchSerializer::",
        "Platform.Webhook.Admission.AdmissionHandler::Respond", "Platform.Webhook.Admission.AdmissionHandler::Allow",
        "Platform.Webhook.Admission.AdmissionHandler::OnError")),
    ("handler, other (request envelope, body copy, logging)", "stack", ("Platform.Webhook.Admission.AdmissionHandler::",)),
    ("metrics", "stack", ("Platform.Webhook.Diagnostics.WebhookMetrics::",)),
    # Reading the body to its Content-Length, the per-request timeout's timer, writing the answer.
    ("endpoint (body read, timeout, answer write)", "stack", ("Platform.Webhook.Admission.AdmissionEndpoint",)),
    ("TLS record crypto (OpenSSL)", "leaf", ("libssl.so", "libcrypto.so")),
    ("kernel (syscalls, network, scheduling)", "leaf", ("[kernel.kallsyms]",)),
    ("runtime outside the handler (allocation, stubs)", "leaf", ("libcoreclr.so",)),
]
OTHER = "Kestrel, HTTP/1.1, SslStream, sockets, thread pool"


def samples(lines):
    """Yields (thread name, [(symbol, dso), ...] innermost first) per sample of perf script's output."""
    thread, frames = None, []
    for line in lines:
        if not line.strip():
            if thread is not None:
                yield thread, frames
            thread, frames = None, []
        elif not line[0].isspace():
            # "<comm> <tid> " — the comm itself may hold spaces (".NET TP Worker"), the tid is the last word.
            thread = line.rsplit(None, 1)[0].strip()
        else:
            rest = line.strip().split(" ", 1)
            text = rest[1] if len(rest) > 1 else ""
            dso = text[text.rfind("(") + 1:-1] if text.endswith(")") else ""
            frames.append((text, dso))
    if thread is not None:
        yield thread, frames


def classify(thread, frames):
    for name, where, markers in RULES:
        if where == "thread" and any(thread.startswith(m) for m in markers):
            return name
        if where == "stack" and any(m in text for text, _ in frames for m in markers):
            return name
        if where == "leaf" and frames and any(m in frames[0][1] or m in frames[0][0] for m in markers):
            return name
    return OTHER


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu-us-per-request", type=float, required=True)
    parser.add_argument("--label", required=True)
    args = parser.parse_args()

    counts, runtime = Counter(), Counter()
    for thread, frames in samples(sys.stdin):
        category = classify(thread, frames)
        counts[category] += 1
        if frames and "libcoreclr.so" in frames[0][1]:
            runtime[category] += 1
    total = sum(counts.values())
    if total == 0:
        print(f"no samples for {args.label}: was perf allowed to sample the process (kernel.perf_event_paranoid <= 2)?",
              file=sys.stderr)
        return 1
    for name in [r[0] for r in RULES] + [OTHER]:
        if counts[name]:
            share = counts[name] / total
            print(f"CATEGORY server={args.label} share={share:.3f} us_per_request={share * args.cpu_us_per_request:.1f} "
                  f"runtime_share={runtime[name] / counts[name]:.2f} samples={counts[name]} name={name}")
    print(f"CATEGORY server={args.label} share=1.000 us_per_request={args.cpu_us_per_request:.1f} samples={total} name=total")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Whole-process wall time of several commands, interleaved: each round runs every command once, in a new
random order, so that drift in the machine falls on all of them alike (run one after another, hyperfine
saw differences of 30-60 ms that interleaving showed to be 5-8). Three warm-up rounds first. A leading
NAME=VALUE in a command is set in its environment. The first command is the baseline; a command that
fails stops the run.

    python3 benchmarks/scripts/interleaved.py 25 "bare=java -jar app.jar" "agent=java -javaagent:a.jar -jar app.jar"
"""
import os
import random
import shlex
import statistics
import subprocess
import sys
import time

WARM_UP_ROUNDS = 3


def parse(spec):
    name, command = spec.split('=', 1)
    words = shlex.split(command)
    env = dict(os.environ)
    while words and '=' in words[0] and not words[0].startswith(('-', '/')):
        key, value = words.pop(0).split('=', 1)
        env[key] = value
    return name, words, env


def run_ms(name, words, env):
    start = time.perf_counter()
    done = subprocess.run(words, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f'{name} failed with status {done.returncode}: {shlex.join(words)}')
    return elapsed


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = [parse(spec) for spec in sys.argv[2:]]
    for _ in range(WARM_UP_ROUNDS):
        for command in commands:
            run_ms(*command)
    times = {name: [] for name, _, _ in commands}
    for _ in range(rounds):
        for command in random.sample(commands, len(commands)):
            times[command[0]].append(run_ms(*command))
    baseline = statistics.median(times[commands[0][0]])
    for name, _, _ in commands:
        t = sorted(times[name])
        median = statistics.median(t)
        spread = statistics.stdev(t) if len(t) > 1 else 0.0
        print(f'{name:14s} median {median:6.1f} ms  mean {statistics.mean(t):6.1f} ± {spread:4.1f}'
              f'  quartiles {t[len(t) // 4]:6.1f}-{t[3 * len(t) // 4]:6.1f}  {median - baseline:+6.1f}')


if __name__ == '__main__':
    main()

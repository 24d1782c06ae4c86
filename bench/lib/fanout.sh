# shellcheck shell=bash
# Sourced by bench/compare.sh: its `fanout` mode (docs/benchmarks.md, "Fan-out (topics)").
# One publisher and SUBS subscribers (ws_load --fanout) on restws's bench/fanout_server and on
# uWebSockets' peer of ours (UWS_FANOUT_SERVER, default /work/peers/bin/uws_fanout, built
# outside the repository: docs/benchmarks.md says how), each with 1 and 2 threads, rounds
# interleaved; deliveries/s and server CPU µs per delivery, medians and ratios against uWS.
# With --instr, also callgrind instructions per delivery (one run pair per server and threads).
# Uses compare.sh's globals and helpers (RESULTS, RESULTS_DIR, WS_LOAD, start_server_or_fail,
# refused, fail_run, column_median, round_ratio, fmt, fmt_k, ratio, note, log).
# shellcheck disable=SC2154  # server_port, server_pid, instr_total, rounds, notes: compare.sh's

FANOUT_SERVER_DEFAULT=build/bench/bench/fanout_server/fanout_server
fanout_subscribers=1000
fanout_messages=20000
fanout_window=32
fanout_threads="1 2"
fanout_instr=0
FANOUT_INSTR_BASE=200     # messages of the short callgrind run
FANOUT_INSTR_MORE=1000    # the long run's extra messages

# "name|command|" for threads $1: restws, then uWebSockets; a missing binary fails the run.
fanout_servers() {
  local restws=${RESTWS_FANOUT_SERVER:-$FANOUT_SERVER_DEFAULT}
  local uws=${UWS_FANOUT_SERVER:-/work/peers/bin/uws_fanout}
  [[ -x ${restws%% *} ]] || fail_run "restws's fan-out server '$restws' not found (build target fanout_server, preset bench)"
  [[ -x ${uws%% *} ]] || fail_run "uWebSockets' fan-out peer '$uws' not found: build it outside the repository as docs/benchmarks.md (Fan-out) says, or set UWS_FANOUT_SERVER"
  echo "restws|$restws --threads $1|"
  echo "uWebSockets|$uws --threads $1|"
}

# What went wrong in a ws_load --fanout run.
fanout_failure() {  # $1 = exit status, $2 = output
  local summary messages what
  summary=$(grep '^summary ' "$2")
  if [[ -z "$summary" ]]; then
    what="ws_load exited with status $1 and no summary"
  else
    what="$(summary_field established "$summary") of $((fanout_subscribers + 1)) connections"
    what+=" established, $(summary_field handshake_failures "$summary") failed handshakes,"
    what+=" $(summary_field deliveries "$summary") of $(summary_field expected_deliveries "$summary")"
    what+=" deliveries, $(summary_field lost "$summary") lost, $(summary_field mismatches "$summary")"
    what+=" misordered, $(summary_field errors "$summary") dropped connections,"
    what+=" $(summary_field publisher_received_bytes "$summary") bytes sent back to the publisher"
  fi
  messages=$(sed -n 's/^ws_load: //p' "$2" | awk '!seen[$0]++' | head -3 | paste -sd';' -)
  echo "$what${messages:+ (ws_load: $messages)}"
}

fanout_client() {  # $1 = messages, $2 = port, $3 = server pid (or empty); output on stdout
  timeout 300 "$WS_LOAD" --fanout "$fanout_subscribers" --fanout-window "$fanout_window" \
    --size 100 --max-messages "$1" --seconds 240 --connect-timeout 60 --host 127.0.0.1 \
    --port "$2" --path /fanout ${3:+--server-pid "$3"}
}

run_fanout_once() {  # $1 = entry, $2 = round, $3 = threads
  local name; IFS='|' read -r name _ <<<"$1"
  local tag
  tag="fanout-$(server_key "$name")-${3}t-r$2"
  start_server_or_fail "$1" "$RESULTS_DIR/$tag.server.log"
  local out="$RESULTS_DIR/$tag.ws_load.txt"
  fanout_client "$fanout_messages" "$server_port" "$server_pid" >"$out" 2>&1
  local rc=$?
  stop_server
  local summary; summary=$(grep '^summary ' "$out")
  if ((rc != 0)) || [[ -z "$summary" ]]; then
    refused "$1" "ws_load --fanout $fanout_subscribers" "$3 threads, round $2" \
      "$(fanout_failure "$rc" "$out")" "$out"
  fi
  local rate us
  rate=$(summary_field deliveries_per_s "$summary")
  us=$(summary_field server_us_per_delivery "$summary")
  [[ $us != na ]] || refused "$1" "ws_load --fanout" "$3 threads, round $2" \
    "its CPU time could not be read (/proc/$server_pid/stat)" "$out"
  printf 'fanout\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "${3}t" "$rate" "$us" >>"$RESULTS"
  log "fanout $3 threads $name round $2: $rate deliveries/s, $us us/delivery"
}

# Callgrind: a short and a long run; the difference over the extra deliveries.
run_fanout_instr() {  # $1 = entry, $2 = threads
  local name; IFS='|' read -r name _ <<<"$1"
  local key; key=$(server_key "$name")
  local short long
  local run messages
  for run in short long; do
    messages=$FANOUT_INSTR_BASE
    [[ $run == long ]] && messages=$((FANOUT_INSTR_BASE + FANOUT_INSTR_MORE))
    local tag="instr-fanout-$key-${2}t-$run"
    instr_server "$1" "$tag" fanout_instr_client "$messages" ||
      refused "$1" "ws_load --fanout under callgrind" "$2 threads, $messages messages" \
        "$(fanout_failure 1 "$RESULTS_DIR/$tag.client.txt")" "$RESULTS_DIR/$tag.client.txt"
    if [[ $run == short ]]; then short=$instr_total; else long=$instr_total; fi
  done
  local per
  per=$(awk -v a="$short" -v b="$long" -v n=$((FANOUT_INSTR_MORE * fanout_subscribers)) \
    'BEGIN { printf "%.0f", (b - a) / n }')
  printf 'fanout_instr\t%s\t1\t%s\t%s\n' "$name" "${2}t" "$per" >>"$RESULTS"
  log "instructions: $name fan-out $2 threads: $per per delivery"
}
fanout_instr_client() { fanout_client "$1" "$2" ""; }  # $1 = messages, $2 = port

print_fanout_tables() {
  echo "## Results $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; kernel $(uname -r);" \
    "load average at start: $load_at_start, at end: $(cut -d' ' -f1-3 /proc/loadavg)." \
    "Medians of $rounds interleaved rounds."
  echo
  echo "### Fan-out (ws_load --fanout $fanout_subscribers: 1 publisher, $fanout_subscribers" \
    "subscribers, 100 B binary, $fanout_messages messages, window $fanout_window)"
  echo
  echo "| threads | server | runs | deliveries/s | server µs/delivery | deliveries/s vs uWS (per round) | µs/delivery vs uWS (per round) |"
  echo "|---|---|---|---|---|---|---|"
  local t name
  for t in $fanout_threads; do
    for name in restws uWebSockets; do
      echo "| $t | $name | $(count_runs fanout "$name" "${t}t")" \
        "| $(fmt_m "$(column_median fanout "$name" "${t}t" 5)")" \
        "| $(fmt "$(column_median fanout "$name" "${t}t" 6)" 3)" \
        "| $(round_ratio fanout "$name" "${t}t" 5) | $(round_ratio fanout "$name" "${t}t" 6) |"
    done
  done
  if ((fanout_instr)); then
    echo
    echo "### Fan-out: server instructions per delivery (callgrind, user space only)"
    echo
    echo "From the difference between runs of $FANOUT_INSTR_BASE and" \
      "$((FANOUT_INSTR_BASE + FANOUT_INSTR_MORE)) messages, over the extra deliveries."
    echo
    echo "| threads | server | instructions per delivery | vs uWS |"
    echo "|---|---|---|---|"
    for t in $fanout_threads; do
      local u; u=$(column_median fanout_instr uWebSockets "${t}t" 5)
      for name in restws uWebSockets; do
        local i; i=$(column_median fanout_instr "$name" "${t}t" 5)
        echo "| $t | $name | $(fmt "$i" 0) | $(ratio "$i" "$u") |"
      done
    done
  fi
  if ((${#notes[@]})); then
    echo
    echo "Notes:"
    printf -- '- %s\n' "${notes[@]}" | sort -u
  fi
}
fmt_m() { awk -v v="$1" 'BEGIN { if (v == "nan") print "–"; else printf "%.2f M", v / 1e6 }'; }

run_fanout_mode() {
  if ((build)); then
    log "configuring and building ws_load and fanout_server (preset bench)"
    timeout 600 cmake --preset bench >"$RESULTS_DIR/configure.log" 2>&1 ||
      fail_run "configure failed (log: $RESULTS_DIR/configure.log)"
    timeout 1800 cmake --build --preset bench -j2 --target ws_load fanout_server \
      >"$RESULTS_DIR/build.log" 2>&1 || fail_run "build failed (log: $RESULTS_DIR/build.log)"
  fi
  [[ -x "$WS_LOAD" ]] || fail_run "$WS_LOAD missing"
  (($(ulimit -Hn) >= fanout_subscribers + 100)) ||
    fail_run "ulimit -Hn $(ulimit -Hn) is too low for $fanout_subscribers subscribers"
  ulimit -Sn "$(ulimit -Hn)"
  load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
  awk -v l="${load_at_start%% *}" 'BEGIN { exit !(l > 1.0) }' &&
    note "load average $load_at_start at start: the machine is busy, figures will be noisy"
  local t entry servers
  for t in $fanout_threads; do fanout_servers "$t" >/dev/null || exit 1; done
  note "uWebSockets with T threads: T Apps listening with SO_REUSEPORT (its threaded examples); a uWS TopicTree is per App, so its peer publishes on the sender's App and Loop::defer()s a copy to each other App, as restws's hub posts to its other reactors"
  for ((round = 1; round <= rounds; round++)); do
    for t in $fanout_threads; do
      servers=$(fanout_servers "$t") || exit 1
      while IFS= read -r entry; do run_fanout_once "$entry" "$round" "$t"; done <<<"$servers"
    done
  done
  if ((fanout_instr)); then
    command -v valgrind >/dev/null || fail_run "valgrind not found (needed by --instr)"
    for t in $fanout_threads; do
      servers=$(fanout_servers "$t") || exit 1
      while IFS= read -r entry; do run_fanout_instr "$entry" "$t"; done <<<"$servers"
    done
  fi
  local tables; tables=$(print_fanout_tables)
  echo "$tables"
  echo "$tables" >"$RESULTS_DIR/tables.md"
  [[ -n "$output" ]] && echo "$tables" >"$output"
  log "raw results and logs in $RESULTS_DIR"
}

# Turns bench/out/results.tsv into the Markdown tables of make bench (bench/run.sh).
# Fields: group scenario conns server round requests duration_us p50_us p99_us connect read
# write status timeout rss_kb, then what the runs cost: for parley's, requests parley served,
# statements and round trips its Postgres layer sent, transaction ids PostgreSQL assigned
# (transactions that wrote); for every run, the CPU milliseconds of the server (parley or the C
# reference), PostgreSQL and that server's nginx. Per (group, scenario, conns, server), over its runs (rounds):
# requests/s is the median, p50 and p99 come from the run with that median (the lower middle
# one for an even count); errors are summed over every run; RSS (VmRSS sampled during the
# runs) is the highest seen. The parley/C ratio is the median of the per-round ratios: each
# round runs parley then C back to back, so a burst of load from elsewhere hits one pair,
# and the median sets that pair aside.
#   awk -F'\t' -f report.awk results.tsv               the tables
#   awk -F'\t' -v only=minratio -f report.awk results.tsv   the lowest TechEmpower ratio at the first connection count

function key(g, s, c, v) { return g SUBSEP s SUBSEP c SUBSEP v }
function ms(us) { return sprintf("%.2f", us / 1000) }
# A per-request figure ("–" when nothing was counted).
function per(total, requests, format) { return requests > 0 ? sprintf(format, total / requests) : "–" }
function mib(kb) { return kb > 0 ? sprintf("%.1f", kb / 1024) : "–" }
# CPU µs per request of the server, PostgreSQL and nginx over key k's runs: per request parley
# served (its own counter), or for the C reference, which has none, per request wrk counted.
function cpu(k,    n) {
    n = served[k] > 0 ? served[k] : answered[k]
    return per(cpu_server[k] * 1000, n, "%.0f") " / " per(cpu_pg[k] * 1000, n, "%.0f") " / " per(cpu_nginx[k] * 1000, n, "%.0f")
}

# The median of values[1..n] (the lower middle one for an even n), and its index in `at`.
function median(values, n, at,    i, j, t, idx, sorted) {
    for (i = 1; i <= n; i++) { sorted[i] = values[i]; idx[i] = i }
    for (i = 2; i <= n; i++) {
        t = sorted[i]; j = i - 1; x = idx[i]
        while (j >= 1 && sorted[j] > t) { sorted[j + 1] = sorted[j]; idx[j + 1] = idx[j]; j-- }
        sorted[j + 1] = t; idx[j + 1] = x
    }
    m = int((n + 1) / 2)
    at[1] = idx[m]
    return sorted[m]
}

{
    g = $1; s = $2; c = $3; v = $4
    rps = $7 > 0 ? $6 / ($7 / 1e6) : 0
    k = key(g, s, c, v)
    n = ++runs[k]
    run_rps[k, n] = rps; run_p50[k, n] = $8; run_p99[k, n] = $9; run_round[k, n] = $5
    by_round[k, $5] = rps
    sock[k] += $10 + $11 + $12; status[k] += $13; timeouts[k] += $14
    if ($15 > hwm[k]) hwm[k] = $15
    served[k] += $16; statements[k] += $17; trips[k] += $18; xids[k] += $19; answered[k] += $6
    cpu_server[k] += $20; cpu_pg[k] += $21; cpu_nginx[k] += $22
    if ($15 > maxhwm) maxhwm = $15
    row = g SUBSEP s SUBSEP c
    if (!(row in seen)) { seen[row] = 1; order[++rows] = row }
    if (first_conns == "") first_conns = c
}

function settle(k,    i, vals, at) {
    if (k in best || !(k in runs)) return
    for (i = 1; i <= runs[k]; i++) vals[i] = run_rps[k, i]
    best[k] = median(vals, runs[k], at)
    p50[k] = run_p50[k, at[1]]; p99[k] = run_p99[k, at[1]]
}

# The median over rounds of key kn's req/s over key kd's in the same round (-1: no pair).
function round_median(kn, kd,    i, n, r, vals, at) {
    if (!(kn in runs) || !(kd in runs)) return -1
    n = 0
    for (i = 1; i <= runs[kn]; i++) {
        r = run_round[kn, i]
        if ((kd, r) in by_round && by_round[kd, r] > 0) vals[++n] = run_rps[kn, i] / by_round[kd, r]
    }
    return n == 0 ? -1 : median(vals, n, at)
}

function ratio_of(s, c) { return round_median(key("te", s, c, "parley"), key("te", s, c, "C")) }

# The TechEmpower type an app route is held against, and the share of it the route must reach
# (issue 12); both measured on parley in the same round (bench/run.sh, app_references).
function reference_of(s) {
    if (s == "conversation list" || s == "messages page") return "db"
    if (s ~ /^conversation page/) return "fortunes"
    if (s ~ /^post message/) return "updates"
    return ""
}
function target_of(s) { return s == "messages page" ? 0.4 : s ~ /^post message/ ? 0.5 : 0.25 }

function share_of(s, c) {
    return reference_of(s) == "" ? -1 : round_median(key("app", s, c, "parley"), key("appref", reference_of(s), c, "parley"))
}

END {
    if (only == "minratio") {
        min = -1
        for (i = 1; i <= rows; i++) {
            split(order[i], f, SUBSEP)
            if (f[1] != "te" || f[3] != first_conns) continue
            r = ratio_of(f[2], f[3])
            if (r >= 0 && (min < 0 || r < min)) min = r
        }
        print (min < 0 ? "n/a" : sprintf("%.2f", min))
        exit
    }
    if (checks_failed != "") printf "**Checks failed:** %s (see Notes)\n\n", checks_failed

    # TechEmpower types.
    header = 0
    for (i = 1; i <= rows; i++) {
        split(order[i], f, SUBSEP)
        if (f[1] != "te") continue
        if (!header) {
            print "## TechEmpower test types: parley vs the C reference\n"
            print "CPU µs per request (server / PostgreSQL / nginx): on a saturated machine req/s is about two cores over the"
            print "sum (with wrk's), so these show which process a ratio's gap is in.\n"
            print "| test | conns | parley req/s | C req/s | ratio | CPU µs parley | CPU µs C | parley p50 / p99 | C p50 / p99 | parley sock err / timeouts | parley non-2xx | C sock err / timeouts | C non-2xx | parley RSS MiB |"
            print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            header = 1
        }
        kp = key("te", f[2], f[3], "parley"); kc = key("te", f[2], f[3], "C")
        settle(kp); settle(kc)
        r = ratio_of(f[2], f[3])
        printf "| %s | %s | %.0f | %.0f | %s | %s | %s | %s / %s | %s / %s | %d / %d | %d | %d / %d | %d | %s |\n",
            f[2], f[3], best[kp], best[kc], (r < 0 ? "–" : sprintf("%.2f", r)), cpu(kp), cpu(kc),
            ms(p50[kp]), ms(p99[kp]), ms(p50[kc]), ms(p99[kc]),
            sock[kp], timeouts[kp], status[kp], sock[kc], timeouts[kc], status[kc], mib(hwm[kp])
    }

    # Parley's own hot paths.
    header = 0
    for (i = 1; i <= rows; i++) {
        split(order[i], f, SUBSEP)
        if (f[1] != "app") continue
        if (!header) {
            print "\n## Parley's hot paths (JWT, or the session cookie for the page; 1,000 users / 10,000 conversations / 2 M messages)\n"
            print "Per request, over all of the row's runs: statements and round trips parley's Postgres layer sent; writes, the"
            print "transactions that wrote (transaction ids PostgreSQL assigned); CPU time of parley, PostgreSQL and nginx.\n"
            print "share: the median over rounds of the route's req/s over that of the TechEmpower type it resembles, run on parley in the"
            print "same round (its req/s beside it), and the target.\n"
            print "| scenario | conns | req/s | share (target) | p50 | p99 | statements | round trips | writes | CPU µs parley / PG / nginx | sock err / timeouts | non-2xx | RSS MiB |"
            print "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            header = 1
        }
        k = key("app", f[2], f[3], "parley")
        settle(k)
        kr = key("appref", reference_of(f[2]), f[3], "parley")
        settle(kr)
        sh = share_of(f[2], f[3])
        share = sh < 0 ? "–" : sprintf("%.3f × %s %.0f (≥ %s)", sh, reference_of(f[2]), best[kr], target_of(f[2]))
        printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %d / %d | %d | %s |\n", f[2], f[3], best[k], share, ms(p50[k]), ms(p99[k]),
            per(statements[k], served[k], "%.1f"), per(trips[k], served[k], "%.1f"), per(xids[k], served[k], "%.2f"),
            cpu(k), sock[k], timeouts[k], status[k], mib(hwm[k])
    }

    # Growth: one row per page and connection count, the three sizes side by side.
    header = 0
    for (i = 1; i <= rows; i++) {
        split(order[i], f, SUBSEP)
        if (f[1] != "growth") continue
        split(f[2], pg, " ")
        gr = pg[1] SUBSEP f[3]
        if (gr in growth_seen) continue
        growth_seen[gr] = 1
        if (!header) {
            print "\n## Growth: a page of messages (20) by conversation size\n"
            print "first = page 1 (`GET …/messages/`, the default, numbered); middle / last = keyset (`?after=<message id>`)."
            print "time ratio = req/s at 10 messages ÷ req/s at 1,000,000 (target ≤ 1.5).\n"
            print "| page | conns | 10 msgs req/s (p50 / p99) | 10,000 msgs | 1,000,000 msgs | time ratio 1M vs 10 | errors / non-2xx |"
            print "|---|---:|---:|---:|---:|---:|---:|"
            header = 1
        }
        ka = key("growth", pg[1] " 10", f[3], "parley")
        kb = key("growth", pg[1] " 10000", f[3], "parley")
        kc = key("growth", pg[1] " 1000000", f[3], "parley")
        settle(ka); settle(kb); settle(kc)
        printf "| %s | %s | %.0f (%s / %s) | %.0f (%s / %s) | %.0f (%s / %s) | %s | %d / %d |\n", pg[1], f[3],
            best[ka], ms(p50[ka]), ms(p99[ka]), best[kb], ms(p50[kb]), ms(p99[kb]), best[kc], ms(p50[kc]), ms(p99[kc]),
            (best[kc] > 0 ? sprintf("%.2f", best[ka] / best[kc]) : "–"),
            sock[ka] + sock[kb] + sock[kc] + timeouts[ka] + timeouts[kb] + timeouts[kc], status[ka] + status[kb] + status[kc]
    }
    printf "\nparley RSS: the highest VmRSS of the master and its workers summed, sampled every 0.2 s during that row's runs; highest of all: %s MiB\n", mib(maxhwm)
}

# Reading wrk's output, for the benchmarks that run it (sourced).
# wrk's --latency table: the percentile in milliseconds.
percentile() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$2"; }
# Non-2xx responses and socket errors, summed.
errors() { awk '/Non-2xx|Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i } END { print s + 0 }' "$1"; }

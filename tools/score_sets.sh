#!/bin/bash
# Score lanesight on a named set of sessions, rendering the missing ones first.
#
#   tools/score_sets.sh [--bin PATH] [--work DIR] [--tag TAG] [--known-offset] NAME...
#
# A NAME is a letter and a seed; the seed also picks the variant, so a name
# always means the same session:
#   sSEED  our simulator, 3 min, half the passes exceptions; size, frame rate,
#          flow direction and customer side rotate with the seed (360p–720p, 10–25 fps)
#   fSEED  tools/foreign_lane, 3 min, 720p 15 fps, direction from the seed
#   gSEED  tools/foreign_lane, 3 min, 540p, 10 fps (even seeds) or 15 fps (odd)
#   tSEED  tools/foreign_lane, 3 min, 720p 15 fps, lane top-to-bottom (even) or bottom-to-top (odd)
#   hSEED  tools/foreign_lane, 2.5 min, 1080p 25 fps, direction from the seed
# Sessions go to WORK/sessions/NAME (kept between runs), outputs (with
# passes.jsonl) to WORK/out-TAG/NAME; two sessions are analyzed at a time.
# The last thing printed is `lanesight evaluate` over all of them.
# --known-offset gives each lane its true POS-to-camera offset (`clock_offset_s`
# in the lane's rules, as a live lane that keeps its offset would have): the
# offset is trusted from the first pass, so appearance and sizes are learned as
# the session goes, as on a lane that has run a while. Without it a 3-minute
# session seldom has the scans to trust its estimate, and learns nothing.
# Example: tools/score_sets.sh --tag before s101 s102 f11 g21
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="" work=${TMPDIR:-/tmp}/lanesight-sets tag=run known=""
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --known-offset) known=1; shift ;;
    -h|--help) sed -n 2,22p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "score_sets.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "score_sets.sh: name at least one session (e.g. s101 f11); --help lists the kinds" >&2; exit 2; }
bin=${bin:-$(cd "$root" && swift build -c release --show-bin-path)/lanesight}
[ -x "$bin" ] || { echo "score_sets.sh: no lanesight at $bin (make build, or --bin)" >&2; exit 2; }
for n in "$@"; do
  [[ $n =~ ^[sfgth][0-9]+$ ]] || { echo "score_sets.sh: '$n' is not a session name (a letter s/f/g/t/h and a seed)" >&2; exit 2; }
done
mkdir -p "$work/sessions" "$work/out-$tag"

render() {  # NAME: render WORK/sessions/NAME unless it is there
  local n=$1 d="$work/sessions/$1" seed=${1:1}
  [ -f "$d/truth.json" ] && return 0
  local sizes=("640 360" "960 540" "1280 720" "800 450" "1280 720" "640 360" "960 540" "1280 720") fpss=(10 15 25 25 10 25 10 15)
  local i=$((seed % 8)) fr="python3 $root/tools/foreign_lane/render.py --out $d.part --seed $seed"
  rm -rf "$d.part"
  case ${n:0:1} in
    s) set -- ${sizes[$i]}
       "$bin" simulate --out "$d.part" --seed "$seed" --minutes 3 --width "$1" --height "$2" --fps "${fpss[$i]}" \
         --direction "$([ $((seed % 2)) = 0 ] && echo rtl || echo ltr)" \
         --customer-side "$([ $(((seed / 2) % 2)) = 0 ] && echo bottom || echo top)" --exception-rate 0.5 ;;
    f) $fr --minutes 3 ;;
    g) $fr --minutes 3 --height 540 --fps "$([ $((seed % 2)) = 0 ] && echo 10 || echo 15)" ;;
    t) $fr --minutes 3 --direction "$([ $((seed % 2)) = 0 ] && echo ttb || echo btt)" ;;
    h) $fr --minutes 2.5 --height 1080 --fps 25 ;;
  esac >"$d.render.log" 2>&1 || { echo "score_sets.sh: rendering $n failed, see $d.render.log" >&2; return 1; }
  mv "$d.part" "$d"
}

analyze() {  # NAME
  local d="$work/sessions/$1" o="$work/out-$tag/$1"
  render "$1" || return 1
  rm -rf "$o"
  local lane="$d/lane.json"
  if [ -n "$known" ]; then
    lane="$d/lane-known-offset.json"
    python3 - "$d" >"$lane" <<'PY' || { echo "score_sets.sh: cannot write $lane" >&2; return 1; }
import json, sys
d = sys.argv[1]
lane, truth = json.load(open(d + "/lane.json")), json.load(open(d + "/truth.json"))
lane.setdefault("rules", {})["clock_offset_s"] = truth["clock_offset_s"]
print(json.dumps(lane, indent=1))
PY
  fi
  "$bin" analyze --lane "$lane" --video "$d/video.mp4" --pos "$d/pos.jsonl" --catalog "$d/catalog.json" \
    --out "$o" --no-state --no-evidence --quiet --pass-log >"$o.log" 2>&1 \
    || { echo "score_sets.sh: analyze of $1 failed, see $o.log" >&2; return 1; }
  echo "analyzed $1"
}
export -f render analyze
export bin work tag root known
printf '%s\n' "$@" | xargs -P 2 -I{} bash -c 'analyze {}'

pairs=()
for n in "$@"; do pairs+=(--truth "$work/sessions/$n/truth.json" --incidents "$work/out-$tag/$n/incidents.json"); done
"$bin" evaluate "${pairs[@]}"

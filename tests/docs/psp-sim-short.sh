#!/usr/bin/env bash
# psp-sim as the doc tests run it (tests/docs/run_docs.sh installs it as
# build/bin/psp-sim and psp-sim in the blocks' PATH): the documented command
# with short settings appended, so that it runs in well under a second.
#   sampled runs:  -n 20000 -r 1 --phase-scale 0.1 (a later flag wins)
#   DARC:          --darc-samples 2000 when the policies include darc (the
#                  default policy) and the command gives no --darc-samples
# Replays (--trace) get only the DARC setting; --merge, --verify, --list,
# --help and --version run as printed.  DOC_REAL_PSP_SIM is the real binary.
set -u
real=${DOC_REAL_PSP_SIM:?}
policies=darc trace=0 samples=0
prev=""
for a in "$@"; do
	case "$a" in
	--merge | --verify | --list | --help | -h | --version) exec "$real" "$@" ;;
	--trace | --trace=*) trace=1 ;;
	--darc-samples | --darc-samples=*) samples=1 ;;
	--policy=*) policies=${a#--policy=} ;;
	esac
	case "$prev" in
	-p | --policy) policies=$a ;;
	esac
	prev=$a
done
extra=()
case "$samples,$policies," in
0,darc,* | 0,*,darc,*) extra+=(--darc-samples 2000) ;;
esac
if [ "$trace" = 0 ]; then
	extra+=(-n 20000 -r 1 --phase-scale 0.1)
fi
exec "$real" "$@" "${extra[@]}"

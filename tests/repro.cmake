# Reproductions of published headlines (docs/reproductions.md); tools/psp-reproduce
# runs under Debian's /usr/bin/python3 (tools/setup.sh installs it).
#   repro.driver  tools/psp-reproduce on small files: its figures are psp-sim's,
#                 verdicts follow the tolerance, --check fails on a lost
#                 reproduction, bad files refused with file, section and key
#   repro.fast    the fast mode: every headline marked fast = yes in
#                 reproductions/*.ini, at each run's fast settings (about 1.5
#                 minutes on 2 CPUs); fails when one that reproduced stops
#                 reproducing.  Under the
#                 sanitizers it repeats psp-sim runs the sim label covers, so
#                 no-asan.
file(GLOB PSP_REPRODUCTIONS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/reproductions/*.ini)
add_test(NAME repro.driver COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/repro/driver.sh
  ${CMAKE_SOURCE_DIR}/tools/psp-reproduce $<TARGET_FILE:psp-sim>)
add_test(NAME repro.fast COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tools/psp-reproduce
  --fast --check --jobs 2 --sim $<TARGET_FILE:psp-sim> ${PSP_REPRODUCTIONS})
set_tests_properties(repro.driver PROPERTIES LABELS "repro;sim" TIMEOUT 300
  ENVIRONMENT "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")
set_tests_properties(repro.fast PROPERTIES LABELS "repro;sim;no-asan" TIMEOUT 600
  ENVIRONMENT "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")

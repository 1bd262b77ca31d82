# psp-sweep: sweep files run as psp-sim shard jobs.  sweep.local needs
# nothing but this machine; sweep.engines starts a one-node Slurm (root,
# slurm-wlm, munge) and GNU parallel, and fails when they do not work.
add_test(NAME sweep.local COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sweep/local.sh
  $<TARGET_FILE:psp-sweep> $<TARGET_FILE:psp-sim>)
add_test(NAME sweep.engines COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sweep/engines.sh
  $<TARGET_FILE:psp-sweep> $<TARGET_FILE:psp-sim> ${CMAKE_SOURCE_DIR})
# sweep.integrity: cell names, options:, bounds, write errors, exec errors,
# memory and jobs killed with psp-sweep.
add_test(NAME sweep.integrity COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sweep/integrity.sh
  $<TARGET_FILE:psp-sweep> $<TARGET_FILE:psp-sim>)
set_tests_properties(sweep.local sweep.integrity PROPERTIES LABELS "sim" TIMEOUT 300
  ENVIRONMENT "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")
set_tests_properties(sweep.engines PROPERTIES LABELS "slurm;no-asan" TIMEOUT 300
  ENVIRONMENT "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads" RUN_SERIAL TRUE)

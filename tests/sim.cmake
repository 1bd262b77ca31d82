# psp-sim end to end: its command line, bad input, determinism.
set(PSP_TEST_ENV "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")
add_test(NAME sim.bad_input COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/bad_input.sh $<TARGET_FILE:psp-sim>)
add_test(NAME sim.determinism COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/determinism.sh $<TARGET_FILE:psp-sim>)
set_tests_properties(sim.bad_input sim.determinism PROPERTIES
  LABELS "sim" TIMEOUT 300 ENVIRONMENT "${PSP_TEST_ENV}")

# psp-sim end to end: its command line, bad input, determinism.
set(PSP_TEST_ENV "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")
add_test(NAME sim.bad_input COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/bad_input.sh $<TARGET_FILE:psp-sim>)
add_test(NAME sim.determinism COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/determinism.sh $<TARGET_FILE:psp-sim>)
# Under the sanitizers psp-sim runs 3-5x slower: sim.determinism and
# sim.shard took 290-330 s on 2 CPUs, so their limit is 900 s there.
set(PSP_SIM_TIMEOUT 300)
if(PSP_SANITIZE)
  set(PSP_SIM_SANITIZED --sanitized)
  set(PSP_SIM_TIMEOUT 900)
endif()
add_test(NAME sim.overload COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/overload.sh $<TARGET_FILE:psp-sim> ${PSP_SIM_SANITIZED})
add_test(NAME sim.capacity COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/capacity.sh $<TARGET_FILE:psp-sim> ${PSP_SIM_SANITIZED})
add_test(NAME sim.warnings COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/warnings.sh $<TARGET_FILE:psp-sim>)
add_test(NAME sim.shard COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/shard.sh $<TARGET_FILE:psp-sim>)
add_test(NAME sim.trace COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/trace.sh $<TARGET_FILE:psp-sim>)
add_test(NAME sim.answers COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/answers.sh $<TARGET_FILE:psp-sim>)
add_test(NAME sim.integrity COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/integrity.sh $<TARGET_FILE:psp-sim> ${PSP_SIM_SANITIZED})
add_test(NAME sim.statistics COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/statistics.sh $<TARGET_FILE:psp-sim>)
add_test(NAME sim.system COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/system.sh $<TARGET_FILE:psp-sim> ${CMAKE_SOURCE_DIR})
add_test(NAME sim.compare COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/compare.sh $<TARGET_FILE:psp-sim> ${PSP_SIM_SANITIZED})
set_tests_properties(sim.bad_input sim.determinism sim.overload sim.capacity sim.warnings sim.shard sim.trace
  sim.answers sim.integrity sim.statistics sim.system sim.compare PROPERTIES
  LABELS "sim" TIMEOUT ${PSP_SIM_TIMEOUT} ENVIRONMENT "${PSP_TEST_ENV}")
# DARC robust vs the paper's rule (capacity searches: about a minute; under
# the sanitizers it repeats what unit.darc_robust checks, so no-asan).
add_test(NAME sim.darc_robust COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/darc_robust.sh $<TARGET_FILE:psp-sim>)
set_tests_properties(sim.darc_robust PROPERTIES
  LABELS "sim;no-asan" TIMEOUT 300 ENVIRONMENT "${PSP_TEST_ENV}")
# The policy lists written as text (docs/policies.md's table, psp-engine --help) against
# the registry.
if(TARGET psp-engine)
  set(PSP_LISTS_ENGINE $<TARGET_FILE:psp-engine>)
endif()
add_test(NAME sim.policy_lists COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim/policy_lists.sh
  $<TARGET_FILE:psp-sim> ${CMAKE_SOURCE_DIR}/docs/policies.md ${PSP_LISTS_ENGINE})
set_tests_properties(sim.policy_lists PROPERTIES LABELS "sim" TIMEOUT 60 ENVIRONMENT "${PSP_TEST_ENV}")

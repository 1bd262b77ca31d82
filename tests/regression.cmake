# The policy regression matrix: every workload x policy x 3 loads against the
# committed tests/regression/expected.csv (regenerate with regen.sh).
add_test(NAME golden.regression
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/regression/compare.sh $<TARGET_FILE:psp-sim>)
set_tests_properties(golden.regression PROPERTIES LABELS "golden" TIMEOUT 300)

# psp-plot (plot/): tests/plot/figures.sh draws each figure from CSV files
# psp-sim and psp-sweep write in the test and from a real psp-engine /
# psp-client run kept in tests/plot/data, checks the PNG and SVG files (the
# SVG's series counted), that extra columns are ignored, and that bad inputs
# and flags are refused (exit 2, the file and the column named).  It needs
# Debian's python3-pandas and python3-matplotlib (tools/setup.sh): without
# them it fails, as the installed psp-plot would.
add_test(NAME plot.figures COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/plot/figures.sh
  ${CMAKE_BINARY_DIR}/bin/psp-plot $<TARGET_FILE:psp-sim> $<TARGET_FILE:psp-sweep>)
set_tests_properties(plot.figures PROPERTIES LABELS "plot" TIMEOUT 300
  ENVIRONMENT "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")

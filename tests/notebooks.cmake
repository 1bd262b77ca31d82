# The Jupyter notebooks (notebooks/*.ipynb), executed headless in quick mode
# (PSP_QUICK=1) by tests/notebooks/run_notebook.sh: each must run without
# error and save at least one non-empty PNG.  Skipped (77) when Debian's
# jupyter-nbconvert is not installed.  Also checks that committed notebooks
# carry no outputs.
file(GLOB PSP_NOTEBOOKS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/notebooks/*.ipynb)
foreach(nb ${PSP_NOTEBOOKS})
  get_filename_component(name ${nb} NAME_WE)
  add_test(NAME notebooks.${name}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/notebooks/run_notebook.sh ${nb} ${CMAKE_BINARY_DIR}/bin)
  set_tests_properties(notebooks.${name} PROPERTIES
    LABELS "notebooks" TIMEOUT 600 SKIP_RETURN_CODE 77
    ENVIRONMENT "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")
  if(name STREQUAL "policies")
    # Sweeps and capacity searches of every policy on four workloads: under
    # the sanitizers they take minutes (5.5 on 2 CPUs) and only repeat psp-sim
    # runs that the sim and theory labels already check there.
    set_tests_properties(notebooks.${name} PROPERTIES LABELS "notebooks;no-asan")
  endif()
  if(name STREQUAL "sim-vs-engine")
    # runs psp-engine and psp-client on the machine's cores
    set_tests_properties(notebooks.${name} PROPERTIES LABELS "notebooks;engine" RUN_SERIAL TRUE)
    if(TARGET psp-engine AND TARGET psp-client)
      # the engine binaries must be built: without them the notebook only shows the simulator
      set_tests_properties(notebooks.${name} PROPERTIES ENVIRONMENT
        "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads;PSP_REQUIRE_ENGINE=1")
    endif()
  endif()
endforeach()
add_test(NAME notebooks.stripped
         COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tools/strip_notebooks.py --check ${PSP_NOTEBOOKS})
set_tests_properties(notebooks.stripped PROPERTIES LABELS "notebooks" TIMEOUT 60 SKIP_RETURN_CODE 77)

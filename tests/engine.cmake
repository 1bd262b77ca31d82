# psp-engine / psp-client tests: Check suites for the parsing code, and end to
# end runs on software devices (memif, tap) driven by tests/engine/*.sh.
# Labelled "engine"; RUN_SERIAL because each run uses both CPUs of the CI
# machine.  Tap tests need root and /dev/net/tun, else they exit 77 (skip).
if(TARGET psp-engine AND TARGET psp-client)
  set(PSP_ENG_TEST_DIR ${CMAKE_SOURCE_DIR}/tests/engine)
  set(PSP_ENG_ENV
    "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads;PSP_BIN_DIR=${CMAKE_BINARY_DIR}/bin;PSP_SOURCE_DIR=${CMAKE_SOURCE_DIR}")

  add_executable(psp_telemetry_get ${PSP_ENG_TEST_DIR}/telemetry_get.c)
  add_executable(darc_expect ${PSP_ENG_TEST_DIR}/darc_expect.c)
  target_link_libraries(darc_expect PRIVATE psp_core psp_workload)

  # Check suites over the engine's object libraries.
  foreach(m rx_parse config verdict)
    add_executable(check_engine_${m} ${PSP_ENG_TEST_DIR}/check_${m}.c
                   ${CMAKE_SOURCE_DIR}/tests/check_main.c)
    target_compile_definitions(check_engine_${m} PRIVATE PSP_SUITE=psp_engine_${m}_suite)
    target_include_directories(check_engine_${m} PRIVATE ${CMAKE_SOURCE_DIR}/tests
      ${CMAKE_SOURCE_DIR}/core/src) # test_conf.h
    target_link_libraries(check_engine_${m} PRIVATE psp_engine_server psp_engine_common
      psp_core psp_workload PkgConfig::CHECK PkgConfig::DPDK PkgConfig::YAML Threads::Threads m)
    add_test(NAME engine.unit.${m} COMMAND check_engine_${m})
    if(m STREQUAL "config") # psp-client's --set, through the same YAML layer
      target_sources(check_engine_${m} PRIVATE ${CMAKE_SOURCE_DIR}/engine/client/config.c)
    endif()
    if(m STREQUAL "verdict") # psp-client's verdicts and self-checks on constructed inputs
      target_sources(check_engine_${m} PRIVATE ${CMAKE_SOURCE_DIR}/engine/client/verdict.c
        ${CMAKE_SOURCE_DIR}/engine/client/selfcheck.c)
      target_link_libraries(check_engine_${m} PRIVATE PkgConfig::GSL)
    endif()
    set_tests_properties(engine.unit.${m} PROPERTIES LABELS "unit;engine" TIMEOUT 60
      ENVIRONMENT "${PSP_ENG_ENV}")
  endforeach()

  set(PSP_ENG_E2E)
  set(_psp_eng_policies cfcfs dfcfs darc jbsq ws)
  if(TARGET psp_preempt)
    list(APPEND _psp_eng_policies tq concord)
  endif()
  foreach(p ${_psp_eng_policies})
    add_test(NAME engine.memif.${p} COMMAND bash ${PSP_ENG_TEST_DIR}/memif_e2e.sh ${p})
    list(APPEND PSP_ENG_E2E engine.memif.${p})
  endforeach()
  # DARC's robust variant, its knobs through the engine's policy: mapping.
  add_test(NAME engine.memif.darc_robust COMMAND bash ${PSP_ENG_TEST_DIR}/memif_e2e.sh darc-robust)
  list(APPEND PSP_ENG_E2E engine.memif.darc_robust)
  add_test(NAME engine.memif.darc_settles COMMAND bash ${PSP_ENG_TEST_DIR}/darc_settle.sh)
  # JBSQ(2) keeps a worker busy across the hand-off, JBSQ(1) cannot.
  add_test(NAME engine.memif.jbsq_handoff COMMAND bash ${PSP_ENG_TEST_DIR}/jbsq_handoff.sh)
  # A client without an engine, a second DPDK process on the same
  # --file-prefix: refused saying why.
  add_test(NAME engine.memif.start_errors COMMAND bash ${PSP_ENG_TEST_DIR}/start_errors.sh)
  # Two engine + client pairs on the shipped configs at once: instances.
  add_test(NAME engine.memif.instances COMMAND bash ${PSP_ENG_TEST_DIR}/instances.sh)
  # The README's quick start runs DARC; a plan never installed is said.
  add_test(NAME engine.memif.quickstart COMMAND bash ${PSP_ENG_TEST_DIR}/quickstart.sh run)
  add_test(NAME engine.memif.darc_no_plan COMMAND bash ${PSP_ENG_TEST_DIR}/quickstart.sh no-plan)
  list(APPEND PSP_ENG_E2E engine.memif.quickstart engine.memif.darc_no_plan)
  # The shipped memif sockets: private files, no squatting, no other user.
  add_test(NAME engine.memif.private_socket COMMAND bash ${PSP_ENG_TEST_DIR}/memif_private.sh)
  list(APPEND PSP_ENG_E2E engine.memif.darc_settles engine.memif.jbsq_handoff
       engine.memif.start_errors engine.memif.instances engine.memif.private_socket)
  # Workers' idle modes: parked workers woken by every dispatch, none lost.
  foreach(m park pause spin)
    add_test(NAME engine.memif.idle_${m} COMMAND bash ${PSP_ENG_TEST_DIR}/idle_modes.sh ${m})
    list(APPEND PSP_ENG_E2E engine.memif.idle_${m})
  endforeach()
  # The dispatcher's idle modes: an idle sleeping dispatcher gives the CPU back.
  add_test(NAME engine.memif.idle_dispatcher COMMAND bash ${PSP_ENG_TEST_DIR}/dispatcher_idle.sh)
  list(APPEND PSP_ENG_E2E engine.memif.idle_dispatcher)
  # psp-sim's prediction error against the engine, at CI size (tools/fidelity.sh).
  add_test(NAME engine.memif.fidelity COMMAND bash ${PSP_ENG_TEST_DIR}/fidelity.sh)
  list(APPEND PSP_ENG_E2E engine.memif.fidelity)
  # idle: auto against the CPUs the lcores may use.
  add_test(NAME engine.memif.idle_auto COMMAND bash ${PSP_ENG_TEST_DIR}/idle_auto.sh)
  set_tests_properties(engine.memif.idle_auto PROPERTIES SKIP_RETURN_CODE 77)
  list(APPEND PSP_ENG_E2E engine.memif.idle_auto)
  # DARC's reserved cores: their own idle mode, their wakes per group.
  add_test(NAME engine.memif.idle_reserved COMMAND bash ${PSP_ENG_TEST_DIR}/idle_reserved.sh)
  list(APPEND PSP_ENG_E2E engine.memif.idle_reserved)
  # The engine SIGKILLed mid-run: psp-client says it could not measure (exit 3).
  add_test(NAME engine.memif.client_engine_dies COMMAND bash ${PSP_ENG_TEST_DIR}/client_engine_dies.sh)
  list(APPEND PSP_ENG_E2E engine.memif.client_engine_dies)
  # psp-client's latency from the scheduled send, its lateness and its
  # verdict on itself (a generator slowed on purpose is GENERATOR-LIMITED).
  foreach(m on-time paused)
    string(REPLACE "-" "_" _n ${m})
    add_test(NAME engine.memif.client_${_n} COMMAND bash ${PSP_ENG_TEST_DIR}/client_schedule.sh ${m})
    list(APPEND PSP_ENG_E2E engine.memif.client_${_n})
  endforeach()
  # psp-client --trace: the engine's own trace of the run is the trace's rows.
  add_test(NAME engine.memif.client_trace COMMAND bash ${PSP_ENG_TEST_DIR}/client_trace.sh)
  list(APPEND PSP_ENG_E2E engine.memif.client_trace)
  # --trace: a row per request that agrees with the engine's counters (and,
  # through psp-sim --trace, replays to the same per-type counts).
  add_test(NAME engine.memif.trace COMMAND bash ${PSP_ENG_TEST_DIR}/trace.sh full darc)
  add_test(NAME engine.memif.trace_limit COMMAND bash ${PSP_ENG_TEST_DIR}/trace.sh limit)
  list(APPEND PSP_ENG_E2E engine.memif.trace engine.memif.trace_limit)
  # The output files and the runtime directory under failures: a full disk,
  # SIGKILL, a refused start, the trace's memory at start, a dead engine's
  # runtime directory (outputs.sh says what each checks).
  foreach(m full-disk kill refused memory stale)
    string(REPLACE "-" "_" _n ${m})
    add_test(NAME engine.memif.outputs_${_n} COMMAND bash ${PSP_ENG_TEST_DIR}/outputs.sh ${m})
    list(APPEND PSP_ENG_E2E engine.memif.outputs_${_n})
  endforeach()
  set_tests_properties(engine.memif.outputs_full_disk PROPERTIES SKIP_RETURN_CODE 77)
  # Time sharing needs the preemption library (x86-64).
  if(TARGET psp_preempt)
    add_test(NAME engine.memif.ts_preempt COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh preempt)
    add_test(NAME engine.memif.ts_per_type COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh per-type)
    add_test(NAME engine.memif.ts_no_points COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh no-points)
    add_test(NAME engine.memif.tq_preempt COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh preempt tq)
    add_test(NAME engine.memif.concord_preempt COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh preempt concord)
    add_test(NAME engine.memif.rts_preempt COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh preempt rts)
    add_test(NAME engine.memif.ts_worker_timer COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh worker-timer ts)
    add_test(NAME engine.memif.concord_worker_timer COMMAND bash ${PSP_ENG_TEST_DIR}/ts_preempt.sh worker-timer concord)
    list(APPEND PSP_ENG_E2E engine.memif.ts_worker_timer engine.memif.concord_worker_timer)
    add_test(NAME engine.memif.trace_ts COMMAND bash ${PSP_ENG_TEST_DIR}/trace.sh full ts)
    list(APPEND PSP_ENG_E2E engine.memif.trace_ts)
    # Stopped while overloaded, past drain_ms: what is in flight is counted.
    add_test(NAME engine.memif.ts_stop_overload COMMAND bash ${PSP_ENG_TEST_DIR}/stop_overload.sh)
    list(APPEND PSP_ENG_E2E engine.memif.ts_preempt engine.memif.ts_per_type engine.memif.ts_no_points
         engine.memif.tq_preempt engine.memif.concord_preempt engine.memif.rts_preempt
         engine.memif.ts_stop_overload)
  endif()

  if(EXISTS ${PSP_ENG_TEST_DIR}/udp_client.c)
    add_executable(psp_udp_client ${PSP_ENG_TEST_DIR}/udp_client.c)
    add_executable(psp_inject_frames ${PSP_ENG_TEST_DIR}/inject_frames.c)
    add_test(NAME engine.tap.kernel_client COMMAND bash ${PSP_ENG_TEST_DIR}/tap_udp.sh)
    add_test(NAME engine.tap.malformed COMMAND bash ${PSP_ENG_TEST_DIR}/tap_malformed.sh)
    set_tests_properties(engine.tap.kernel_client engine.tap.malformed PROPERTIES
      SKIP_RETURN_CODE 77)
    list(APPEND PSP_ENG_E2E engine.tap.kernel_client engine.tap.malformed)
    # An ordinary Linux interface (one end of a veth pair) through
    # net_af_packet and net_af_xdp (tests/engine/veth.sh).
    foreach(pmd packet xdp)
      add_test(NAME engine.veth.af_${pmd} COMMAND bash ${PSP_ENG_TEST_DIR}/veth.sh ${pmd})
      set_tests_properties(engine.veth.af_${pmd} PROPERTIES SKIP_RETURN_CODE 77)
      list(APPEND PSP_ENG_E2E engine.veth.af_${pmd})
    endforeach()
  endif()
  # The RocksDB application (built when librocksdb-dev is installed).
  if(TARGET PkgConfig::ROCKSDB)
    add_test(NAME engine.memif.rocksdb COMMAND bash ${PSP_ENG_TEST_DIR}/rocksdb_app.sh darc)
    list(APPEND PSP_ENG_E2E engine.memif.rocksdb)
    # A database that is not what psp-engine made: corrupted, someone
    # else's, or on a full disk (tests/engine/rocksdb_db.sh).
    add_executable(rocksdb_foreign ${PSP_ENG_TEST_DIR}/rocksdb_foreign.c)
    target_link_libraries(rocksdb_foreign PRIVATE PkgConfig::ROCKSDB)
    foreach(mode corrupt foreign full)
      add_test(NAME engine.memif.rocksdb_${mode} COMMAND bash ${PSP_ENG_TEST_DIR}/rocksdb_db.sh ${mode})
      list(APPEND PSP_ENG_E2E engine.memif.rocksdb_${mode})
    endforeach()
    set_tests_properties(engine.memif.rocksdb_full PROPERTIES SKIP_RETURN_CODE 77)
    if(TARGET psp_preempt)
      add_test(NAME engine.memif.rocksdb_ts COMMAND bash ${PSP_ENG_TEST_DIR}/rocksdb_app.sh ts)
      list(APPEND PSP_ENG_E2E engine.memif.rocksdb_ts)
    endif()
  endif()
  if(EXISTS ${PSP_ENG_TEST_DIR}/overload.sh)
    add_test(NAME engine.memif.overload COMMAND bash ${PSP_ENG_TEST_DIR}/overload.sh)
    list(APPEND PSP_ENG_E2E engine.memif.overload)
  endif()
  set_tests_properties(${PSP_ENG_E2E} PROPERTIES LABELS "engine" TIMEOUT 180
    RUN_SERIAL TRUE ENVIRONMENT "${PSP_ENG_ENV}")
endif()

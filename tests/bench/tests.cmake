# Tests of the benchmark tools' own logic (ws_load's handshake check and echo verification):
# a benchmark figure is only worth something if the load generator checks what it counts.
set(RESTWS_WS_LOAD_DIR ${PROJECT_SOURCE_DIR}/bench/ws_load)
file(GLOB RESTWS_BENCH_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*_test.cpp)
add_executable(ws_load_tests ${RESTWS_BENCH_TESTS}
  ${RESTWS_WS_LOAD_DIR}/frame.cpp ${RESTWS_WS_LOAD_DIR}/handshake.cpp
  ${RESTWS_WS_LOAD_DIR}/options.cpp ${RESTWS_WS_LOAD_DIR}/proc_stats.cpp)
target_include_directories(ws_load_tests PRIVATE ${RESTWS_WS_LOAD_DIR})
target_link_libraries(ws_load_tests PRIVATE OpenSSL::Crypto GTest::gtest_main)
restws_strict_warnings(ws_load_tests)
gtest_discover_tests(ws_load_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS bench)

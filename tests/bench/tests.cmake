# Tests of the benchmark tools' own logic (ws_load's handshake check and echo verification, its
# options, its TLS session against an in-process OpenSSL server, its --fanout runs against an
# in-process fan-out server):
# a benchmark figure is only worth something if the load generator checks what it counts.
set(RESTWS_WS_LOAD_DIR ${PROJECT_SOURCE_DIR}/bench/ws_load)
file(GLOB RESTWS_BENCH_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*_test.cpp)
add_executable(ws_load_tests ${RESTWS_BENCH_TESTS}
  ${RESTWS_WS_LOAD_DIR}/frame.cpp ${RESTWS_WS_LOAD_DIR}/handshake.cpp
  ${RESTWS_WS_LOAD_DIR}/options.cpp ${RESTWS_WS_LOAD_DIR}/proc_stats.cpp
  ${RESTWS_WS_LOAD_DIR}/latency.cpp ${RESTWS_WS_LOAD_DIR}/deflate.cpp
  ${RESTWS_WS_LOAD_DIR}/messages.cpp ${RESTWS_WS_LOAD_DIR}/tls.cpp
  ${RESTWS_WS_LOAD_DIR}/fanout.cpp ${RESTWS_WS_LOAD_DIR}/fanout_check.cpp)
target_include_directories(ws_load_tests PRIVATE ${RESTWS_WS_LOAD_DIR})
target_link_libraries(ws_load_tests PRIVATE OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB
                                            GTest::gtest_main)
restws_strict_warnings(ws_load_tests)
gtest_discover_tests(ws_load_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS bench)

# syscall_tax (bench/profile/syscall_tax.cpp): the command runs under the filter, with its exit
# status; a tax out of range is refused; --measure prints a cost in ns.
add_executable(syscall_tax_under_test ${PROJECT_SOURCE_DIR}/bench/profile/syscall_tax.cpp)
restws_strict_warnings(syscall_tax_under_test)
add_test(NAME syscall_tax.runs_the_command COMMAND syscall_tax_under_test 1000 true)
add_test(NAME syscall_tax.passes_the_command_status_on COMMAND syscall_tax_under_test 1000 false)
add_test(NAME syscall_tax.refuses_a_tax_out_of_range COMMAND syscall_tax_under_test 4001 true)
add_test(NAME syscall_tax.refuses_a_tax_that_is_not_a_number COMMAND syscall_tax_under_test 1x true)
add_test(NAME syscall_tax.measures_a_system_call COMMAND syscall_tax_under_test 0 --measure)
add_test(NAME syscall_tax.measures_without_a_filter COMMAND syscall_tax_under_test none --measure)
set_tests_properties(syscall_tax.passes_the_command_status_on
                     syscall_tax.refuses_a_tax_out_of_range
                     syscall_tax.refuses_a_tax_that_is_not_a_number PROPERTIES WILL_FAIL TRUE)
set_tests_properties(syscall_tax.measures_a_system_call syscall_tax.measures_without_a_filter
                     PROPERTIES PASS_REGULAR_EXPRESSION "^[1-9][0-9]*\n$")
set_tests_properties(syscall_tax.runs_the_command syscall_tax.passes_the_command_status_on
                     syscall_tax.refuses_a_tax_out_of_range
                     syscall_tax.refuses_a_tax_that_is_not_a_number
                     syscall_tax.measures_a_system_call syscall_tax.measures_without_a_filter
                     PROPERTIES LABELS bench TIMEOUT 30)

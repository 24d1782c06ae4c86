# The chat example (examples/chat): unit tests of its sans-IO core, and an end-to-end test in
# headless Chromium through nginx in front of two chat nodes (chat_e2e.js). All named chat.*.
if(NOT TARGET chat_core)
  return()
endif()

file(GLOB restws_chat_unit_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*_test.cpp)
add_executable(chat_unit_tests ${restws_chat_unit_tests})
target_link_libraries(chat_unit_tests PRIVATE chat_core GTest::gtest_main)
restws_strict_warnings(chat_unit_tests)
gtest_discover_tests(chat_unit_tests DISCOVERY_TIMEOUT 60 TEST_PREFIX "chat."
                     PROPERTIES LABELS unit)

# End to end: nginx, two chat nodes and (two-nodes) redis-server on free loopback ports, two
# pages in headless Chromium (Debian's /usr/bin/chromium through playwright-core from
# tests/interop, both installed by scripts/deps.sh). Screenshots go to <build>/artifacts.
# two-nodes needs a chat built with the Redis bridge; in a build without it a test saying so
# fails (one-node, which needs no Redis, covers the page, nginx and the failover).
# keepalive (no browser): the nodes' pings keep an idle client open behind nginx past its
# proxy_read_timeout (cut to 3 s for the test).
find_program(RESTWS_NODE node)
if(RESTWS_NODE AND TARGET chat)
  get_target_property(restws_chat_with_redis chat CHAT_WITH_REDIS)
  foreach(mode one-node two-nodes keepalive)
    if(mode STREQUAL "two-nodes" AND NOT restws_chat_with_redis)
      # Not skipped: a build without the bridge is a machine without libhiredis-dev, which
      # scripts/deps.sh installs. The test says so and fails.
      add_test(NAME chat.e2e.two-nodes
               COMMAND sh -c "echo 'chat.e2e.two-nodes needs the Redis bridge (restws::redis): install libhiredis-dev (scripts/deps.sh) and reconfigure' >&2; exit 1")
      continue()
    endif()
    add_test(NAME chat.e2e.${mode}
             COMMAND ${RESTWS_NODE} ${CMAKE_CURRENT_LIST_DIR}/chat_e2e.js
                     --chat $<TARGET_FILE:chat>
                     --nginx-conf ${PROJECT_SOURCE_DIR}/examples/chat/nginx.conf.in
                     --artifacts ${PROJECT_BINARY_DIR}/artifacts --mode ${mode})
    set_tests_properties(chat.e2e.${mode} PROPERTIES LABELS "e2e" TIMEOUT 180)
  endforeach()
endif()

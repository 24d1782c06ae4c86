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

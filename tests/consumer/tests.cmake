# A consumer project outside the tree: install restws into a scratch prefix, then build a small
# program with find_package(restws) and another with pkg-config, and run them.
set(_consumer_flags "")
if(RESTWS_SANITIZE)
  set(_consumer_flags "-fsanitize=address,undefined")
endif()
set(_consumer_sources "")
foreach(example hello ws_echo)
  if(EXISTS ${PROJECT_SOURCE_DIR}/examples/${example}/main.cpp)
    list(APPEND _consumer_sources ${PROJECT_SOURCE_DIR}/examples/${example}/main.cpp)
  endif()
endforeach()
string(REPLACE ";" "|" _consumer_sources "${_consumer_sources}")  # one argument for add_test
add_test(NAME consumer.find_package_and_pkg_config
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DPROJECT_DIR=${CMAKE_CURRENT_LIST_DIR}/project
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/consumer
                 -DEXTRA_FLAGS=${_consumer_flags}
                 "-DEXAMPLE_SOURCES=${_consumer_sources}"
                 -P ${CMAKE_CURRENT_LIST_DIR}/run_consumer.cmake)
set_tests_properties(consumer.find_package_and_pkg_config PROPERTIES LABELS consumer TIMEOUT 600)
set_tests_properties(consumer.find_package_and_pkg_config PROPERTIES FIXTURES_SETUP consumer_built)

# The seed's echo server, built by the consumer project from its copied source, must also run:
# start it and echo a text message through Debian's python3-websockets client.
if(EXISTS ${PROJECT_SOURCE_DIR}/examples/ws_echo/main.cpp)
  set(RESTWS_TEST_PYTHON /usr/bin/python3 CACHE FILEPATH
      "Python for the conformance and interop suites (Debian's, which has python3-websockets)")
  add_test(NAME consumer.copied_ws_echo_serves
           COMMAND ${RESTWS_TEST_PYTHON} ${PROJECT_SOURCE_DIR}/tests/interop/with_server.py
                   --server ${CMAKE_CURRENT_BINARY_DIR}/consumer/build/example_ws_echo
                   --timeout 60 --
                   ${RESTWS_TEST_PYTHON} ${PROJECT_SOURCE_DIR}/tests/interop/python_client.py text)
  set_tests_properties(consumer.copied_ws_echo_serves PROPERTIES
                       FIXTURES_REQUIRED consumer_built RESOURCE_LOCK port8080
                       LABELS consumer TIMEOUT 120)
endif()

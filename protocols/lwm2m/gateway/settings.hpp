// Settings of the LwM2M gateway, read from [gateway.lwm2m] by the service factory.
#pragma once
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace edgegw::lwm2m {

struct gateway_settings {
  std::string mountpoint = "lwm2m/${endpoint_name}/";
  std::filesystem::path definitions_dir;
  std::chrono::milliseconds qmode_time_window{22000};
  std::chrono::milliseconds lifetime_min{1000};
  std::chrono::milliseconds lifetime_max{86400000};
  std::chrono::milliseconds command_timeout{60000};
  bool auto_observe_all = false;                // auto_observe = true
  std::vector<std::string> auto_observe_paths;  // auto_observe = /3303/0,...
  std::string topic_command = "dn/#";
  std::string topic_response = "up/resp";
  std::string topic_notify = "up/notify";
  std::string topic_register = "up/resp";
  std::string topic_update = "up/resp";
  std::size_t max_devices = 1000;
  std::size_t max_queued_commands = 32;
  bool psk_per_endpoint = false;  // DTLS with PSK: the identity must equal the endpoint
};

}  // namespace edgegw::lwm2m

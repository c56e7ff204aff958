// Typed wrappers for libcurl's variadic entry points, which Swift cannot call directly.
#ifndef GENESYS_CCURL_SHIM_H
#define GENESYS_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*gx_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode gx_easy_setopt_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode gx_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode gx_easy_setopt_string(CURL *easy, CURLoption option, const char *value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode gx_easy_setopt_pointer(CURL *easy, CURLoption option, void *value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode gx_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode gx_easy_setopt_callback(CURL *easy, CURLoption option, gx_curl_data_callback value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode gx_easy_getinfo_long(CURL *easy, CURLINFO info, long *value) {
    return curl_easy_getinfo(easy, info, value);
}

static inline CURLcode gx_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(easy, info, value);
}

static inline CURLcode gx_easy_getinfo_pointer(CURL *easy, CURLINFO info, void **value) {
    return curl_easy_getinfo(easy, info, value);
}

static inline CURLMcode gx_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The result code of a finished transfer (a union member Swift reads awkwardly).
static inline CURLcode gx_multi_message_result(const CURLMsg *message) {
    return message->data.result;
}

#endif

// The floor for decoding a listing: jansson alone parsing the same bytes, in a C loop (benchmarks/poll.sh).
// Usage: jansson-loop SECONDS FILE...   Parses every FILE (one listing's pages) with json_loadb and frees the tree,
// again and again for at least SECONDS of CPU time, and prints the CPU milliseconds per listing.
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: jansson-loop SECONDS FILE...\n");
        return 2;
    }
    double seconds = atof(argv[1]);
    int count = argc - 2;
    char **bodies = calloc((size_t)count, sizeof(char *));
    size_t *sizes = calloc((size_t)count, sizeof(size_t));
    if (bodies == NULL || sizes == NULL) return 1;
    for (int i = 0; i < count; i++) {
        FILE *file = fopen(argv[i + 2], "rb");
        if (file == NULL) { perror(argv[i + 2]); return 1; }
        fseek(file, 0, SEEK_END);
        long size = ftell(file);
        fseek(file, 0, SEEK_SET);
        bodies[i] = malloc((size_t)size);
        if (bodies[i] == NULL || fread(bodies[i], 1, (size_t)size, file) != (size_t)size) return 1;
        sizes[i] = (size_t)size;
        fclose(file);
    }
    long listings = 0;
    double start = cpu_seconds();
    while (cpu_seconds() - start < seconds) {
        for (int i = 0; i < count; i++) {
            json_error_t error;
            json_t *root = json_loadb(bodies[i], sizes[i], 0, &error);
            if (root == NULL) { fprintf(stderr, "%s: %s\n", argv[i + 2], error.text); return 1; }
            json_decref(root);
        }
        listings++;
    }
    double elapsed = cpu_seconds() - start;
    printf("%.2f\n", 1000 * elapsed / (double)listings);
    return 0;
}

/*
 * A stand-in libcuda.so.1 for tests: the CUDA driver API entry points the agent binds (cuda.h signatures),
 * serving the same fake GPUs as fake_nvml.c. Like a real driver it lists them in its own order (here the
 * reverse of PCI order) and reports the memory CUDA can use, the total less the driver's 616 MiB reserve.
 *   FAKE_GPU_COUNT=N  GPUs (default 2, at most 8)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024ULL * 1024ULL)

static int count(void)
{
    const char *text = getenv("FAKE_GPU_COUNT");
    int n = text ? atoi(text) : 2;
    return n < 0 || n > 8 ? 2 : n;
}

/* CUDA lists the GPUs in reverse PCI order here; ordinal o is GPU index count - 1 - o. */
static int index_of(int device) { return count() - 1 - device; }

int cuInit(unsigned int flags) { (void)flags; return count() == 0 ? 100 /* CUDA_ERROR_NO_DEVICE */ : 0; }
int cuDriverGetVersion(int *version) { *version = 13000; return 0; }
int cuDeviceGetCount(int *n) { *n = count(); return 0; }

int cuDeviceGet(int *device, int ordinal)
{
    if (ordinal < 0 || ordinal >= count()) return 101; /* CUDA_ERROR_INVALID_DEVICE */
    *device = ordinal;
    return 0;
}

int cuDeviceGetName(char *name, int length, int device) { (void)device; snprintf(name, length, "NVIDIA H200"); return 0; }

int cuDeviceGetUuid_v2(unsigned char *uuid, int device)
{
    static const unsigned char prefix[15] = { 0xfa, 0x4e, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0 };
    memcpy(uuid, prefix, sizeof prefix);
    uuid[15] = (unsigned char)index_of(device);
    return 0;
}

int cuDeviceTotalMem_v2(size_t *bytes, int device) { (void)device; *bytes = (143771ULL - 616ULL) * MIB; return 0; }

int cuDeviceGetAttribute(int *value, int attribute, int device)
{
    (void)device;
    if (attribute == 75) { *value = 9; return 0; } /* COMPUTE_CAPABILITY_MAJOR */
    if (attribute == 76) { *value = 0; return 0; } /* COMPUTE_CAPABILITY_MINOR */
    *value = 0;
    return 0;
}

int cuDeviceGetPCIBusId(char *bus, int length, int device) { snprintf(bus, length, "0000:%02X:00.0", 0x10 + index_of(device)); return 0; }

int cuGetErrorName(int error, const char **name)
{
    *name = error == 0 ? "CUDA_SUCCESS" : "CUDA_ERROR_UNKNOWN";
    return 0;
}

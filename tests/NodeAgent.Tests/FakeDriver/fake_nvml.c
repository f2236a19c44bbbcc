/*
 * A stand-in libnvidia-ml.so.1 for tests: the NVML entry points the agent binds, with the signatures and
 * struct layouts of nvml.h (NVIDIA's public header; layouts restated here, not copied), serving fake GPUs
 * shaped like an H200 as read on driver 580.159.04. Built by the tests with the machine's C compiler, so the
 * agent's real bindings (entry point names, struct layouts, versioned structs, return codes) run in CI.
 *
 * Environment, read at nvmlInit:
 *   FAKE_GPU_COUNT=N            GPUs (default 2, at most 8)
 *   FAKE_NVML_NO_MEMORY_V2=1    nvmlDeviceGetMemoryInfo_v2 answers FUNCTION_NOT_FOUND, as before r510
 *   FAKE_NVML_XID_FILE=path     nvmlEventSetWait_v2 delivers "<gpu index> <xid> [<gpu instance id>]" written to this
 *                               file, then deletes it
 *   FAKE_NVML_MIG=1             MIG enabled on every GPU, with MIG devices at indexes 0 (3g.71gb, GPU instance 2)
 *                               and 2 (1g.18gb+me, GPU instance 9); index 1 is a gap, as after destroying an instance
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024ULL * 1024ULL)
#define TOTAL_MIB 143771ULL
#define RESERVED_MIB 616ULL

enum {
    SUCCESS = 0, ERROR_UNINITIALIZED = 1, ERROR_INVALID_ARGUMENT = 2, ERROR_NOT_SUPPORTED = 3,
    ERROR_INSUFFICIENT_SIZE = 7, ERROR_TIMEOUT = 10, ERROR_FUNCTION_NOT_FOUND = 13, ERROR_NOT_FOUND = 6,
    ERROR_ARGUMENT_VERSION_MISMATCH = 25,
};

typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} pci_info_t; /* nvmlPciInfo_t, filled by nvmlDeviceGetPciInfo_v3 */

typedef struct { unsigned long long total, free, used; } memory_t;                            /* nvmlMemory_t */
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } memory_v2_t; /* nvmlMemory_v2_t */
typedef struct { unsigned int gpu, memory; } utilization_t;                                     /* nvmlUtilization_t */
typedef struct {
    void *device;
    unsigned long long eventType, eventData;
    unsigned int gpuInstanceId, computeInstanceId;
} event_data_t; /* nvmlEventData_t */

typedef struct { int index; char uuid[96]; unsigned int bus; } gpu_t;

typedef struct {
    unsigned int multiprocessorCount, sharedCopyEngineCount, sharedDecoderCount, sharedEncoderCount;
    unsigned int sharedJpegCount, sharedOfaCount, gpuInstanceSliceCount, computeInstanceSliceCount;
    unsigned long long memorySizeMB;
} attributes_t; /* nvmlDeviceAttributes_t, filled by nvmlDeviceGetAttributes_v2 */

typedef struct {
    void *device;
    unsigned int id, profileId;
    unsigned int placementStart, placementSize;
} gpu_instance_info_t; /* nvmlGpuInstanceInfo_t */

/* A MIG device; also the handle of its GPU instance (one compute instance each here). */
typedef struct {
    int parent, index;
    char uuid[96];
    unsigned int gi, ci, profile;
    attributes_t attributes;
} mig_t;

#define MIG_SLOTS 3
static gpu_t gpus[8];
static mig_t migs[8][MIG_SLOTS];
static int mig_enabled;
static int gpu_count;
static int initialized;
static int no_memory_v2;
static const char *xid_file;
static int event_set_token;

int nvmlInit_v2(void)
{
    const char *count = getenv("FAKE_GPU_COUNT");
    gpu_count = count ? atoi(count) : 2;
    if (gpu_count < 0 || gpu_count > 8) gpu_count = 2;
    no_memory_v2 = getenv("FAKE_NVML_NO_MEMORY_V2") != NULL;
    xid_file = getenv("FAKE_NVML_XID_FILE");
    for (int i = 0; i < gpu_count; i++) {
        gpus[i].index = i;
        gpus[i].bus = 0x10 + i;
        snprintf(gpus[i].uuid, sizeof gpus[i].uuid, "GPU-fa4e0000-0000-4000-8000-0000000000%02x", i);
        /* H200 partitions: 3g.71gb (GPU instance profile 2 = 3_SLICE) and 1g.18gb+me (7 = 1_SLICE_REV1). */
        mig_t big = { i, 0, "", 2, 0, 2, { 60, 3, 3, 0, 0, 0, 3, 3, 69632 } };
        mig_t small = { i, 2, "", 9, 0, 7, { 16, 1, 1, 0, 1, 1, 1, 1, 16384 } };
        migs[i][0] = big;
        migs[i][2] = small;
        for (int m = 0; m < MIG_SLOTS; m++)
            snprintf(migs[i][m].uuid, sizeof migs[i][m].uuid, "MIG-fa4e0000-0000-4000-8000-00000000%02x%02x", i, m);
    }
    mig_enabled = getenv("FAKE_NVML_MIG") != NULL;
    initialized = 1;
    return SUCCESS;
}

int nvmlShutdown(void) { initialized = 0; return SUCCESS; }

const char *nvmlErrorString(int result)
{
    switch (result) {
    case SUCCESS: return "Success";
    case ERROR_NOT_SUPPORTED: return "Not Supported";
    case ERROR_TIMEOUT: return "Timeout";
    case ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
    default: return "Unknown Error";
    }
}

static gpu_t *gpu_of(void *device)
{
    for (int i = 0; i < gpu_count; i++) if (device == &gpus[i]) return &gpus[i];
    return NULL;
}

static mig_t *mig_of(void *device)
{
    for (int i = 0; i < gpu_count; i++)
        for (int m = 0; m < MIG_SLOTS; m++)
            if (device == &migs[i][m] && migs[i][m].attributes.memorySizeMB != 0) return &migs[i][m];
    return NULL;
}

static int copy_text(char *buffer, unsigned int length, const char *text)
{
    if (strlen(text) + 1 > length) return ERROR_INSUFFICIENT_SIZE;
    strcpy(buffer, text);
    return SUCCESS;
}

#define DEVICE(d) gpu_t *gpu = gpu_of(d); if (!initialized) return ERROR_UNINITIALIZED; if (!gpu) return ERROR_INVALID_ARGUMENT

int nvmlSystemGetDriverVersion(char *version, unsigned int length) { return copy_text(version, length, "580.159.04"); }
int nvmlSystemGetCudaDriverVersion_v2(int *version) { *version = 13000; return SUCCESS; }
int nvmlDeviceGetCount_v2(unsigned int *count) { if (!initialized) return ERROR_UNINITIALIZED; *count = gpu_count; return SUCCESS; }

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **device)
{
    if (index >= (unsigned int)gpu_count) return ERROR_INVALID_ARGUMENT;
    *device = &gpus[index];
    return SUCCESS;
}

int nvmlDeviceGetHandleByUUID(const char *uuid, void **device)
{
    for (int i = 0; i < gpu_count; i++) if (strcmp(uuid, gpus[i].uuid) == 0) { *device = &gpus[i]; return SUCCESS; }
    return ERROR_NOT_FOUND;
}

int nvmlDeviceGetUUID(void *device, char *uuid, unsigned int length)
{
    mig_t *mig = mig_of(device);
    if (mig && mig_enabled) return copy_text(uuid, length, mig->uuid);
    DEVICE(device);
    return copy_text(uuid, length, gpu->uuid);
}
int nvmlDeviceGetName(void *device, char *name, unsigned int length) { DEVICE(device); return copy_text(name, length, "NVIDIA H200"); }
int nvmlDeviceGetMinorNumber(void *device, unsigned int *minor) { DEVICE(device); *minor = gpu->index; return SUCCESS; }

int nvmlDeviceGetPciInfo_v3(void *device, pci_info_t *pci)
{
    DEVICE(device);
    memset(pci, 0, sizeof *pci);
    snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "0000:%02X:00.0", gpu->bus);
    snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", gpu->bus);
    pci->bus = gpu->bus;
    pci->pciDeviceId = 0x233510de;
    return SUCCESS;
}

static unsigned long long used_mib(gpu_t *gpu) { return 3 + 1000ULL * gpu->index; }

int nvmlDeviceGetMemoryInfo(void *device, memory_t *memory)
{
    DEVICE(device);
    memory->total = TOTAL_MIB * MIB;
    memory->used = (used_mib(gpu) + RESERVED_MIB) * MIB; /* v1 counts the driver's reserve as used */
    memory->free = memory->total - memory->used;
    return SUCCESS;
}

int nvmlDeviceGetMemoryInfo_v2(void *device, memory_v2_t *memory)
{
    mig_t *mig = mig_of(device);
    if (no_memory_v2) return ERROR_FUNCTION_NOT_FOUND;
    if (memory->version != (unsigned int)(sizeof(memory_v2_t) | (2u << 24))) return ERROR_ARGUMENT_VERSION_MISMATCH;
    if (mig && mig_enabled) {
        /* A MIG device reports its own framebuffer: 100 MiB used per MIG index plus one, no reserve. */
        memory->total = mig->attributes.memorySizeMB * MIB;
        memory->reserved = 0;
        memory->used = 100ULL * (mig->index + 1) * MIB;
        memory->free = memory->total - memory->used;
        return SUCCESS;
    }
    DEVICE(device);
    memory->total = TOTAL_MIB * MIB;
    memory->reserved = RESERVED_MIB * MIB;
    memory->used = used_mib(gpu) * MIB;
    memory->free = memory->total - memory->reserved - memory->used;
    return SUCCESS;
}

int nvmlDeviceGetCudaComputeCapability(void *device, int *major, int *minor) { DEVICE(device); *major = 9; *minor = 0; return SUCCESS; }
int nvmlDeviceGetMigMode(void *device, unsigned int *current, unsigned int *pending)
{
    DEVICE(device);
    *current = *pending = mig_enabled ? 1 : 0;
    return SUCCESS;
}

int nvmlDeviceGetMaxMigDeviceCount(void *device, unsigned int *count) { DEVICE(device); *count = mig_enabled ? 7 : 0; return SUCCESS; }

int nvmlDeviceGetMigDeviceHandleByIndex(void *device, unsigned int index, void **mig)
{
    DEVICE(device);
    if (!mig_enabled) return ERROR_NOT_SUPPORTED;
    if (index >= 7) return ERROR_INVALID_ARGUMENT;
    if (index >= MIG_SLOTS || migs[gpu->index][index].attributes.memorySizeMB == 0) return ERROR_NOT_FOUND;
    *mig = &migs[gpu->index][index];
    return SUCCESS;
}

int nvmlDeviceGetGpuInstanceId(void *device, unsigned int *id)
{
    mig_t *mig = mig_of(device);
    if (!mig || !mig_enabled) return ERROR_NOT_SUPPORTED;
    *id = mig->gi;
    return SUCCESS;
}

int nvmlDeviceGetComputeInstanceId(void *device, unsigned int *id)
{
    mig_t *mig = mig_of(device);
    if (!mig || !mig_enabled) return ERROR_NOT_SUPPORTED;
    *id = mig->ci;
    return SUCCESS;
}

int nvmlDeviceGetAttributes_v2(void *device, attributes_t *attributes)
{
    mig_t *mig = mig_of(device);
    if (!mig || !mig_enabled) return ERROR_NOT_SUPPORTED;
    *attributes = mig->attributes;
    return SUCCESS;
}

int nvmlDeviceGetGpuInstanceById(void *device, unsigned int id, void **instance)
{
    DEVICE(device);
    for (int m = 0; m < MIG_SLOTS; m++)
        if (mig_enabled && migs[gpu->index][m].attributes.memorySizeMB != 0 && migs[gpu->index][m].gi == id) {
            *instance = &migs[gpu->index][m];
            return SUCCESS;
        }
    return ERROR_NOT_FOUND;
}

int nvmlGpuInstanceGetInfo(void *instance, gpu_instance_info_t *info)
{
    mig_t *mig = mig_of(instance);
    if (!mig) return ERROR_INVALID_ARGUMENT;
    info->device = &gpus[mig->parent];
    info->id = mig->gi;
    info->profileId = mig->profile;
    info->placementStart = mig->index;
    info->placementSize = mig->attributes.gpuInstanceSliceCount;
    return SUCCESS;
}
int nvmlDeviceGetTopologyCommonAncestor(void *a, void *b, int *level) { (void)a; (void)b; *level = 40; /* NODE */ return SUCCESS; }
int nvmlDeviceGetNvLinkState(void *device, unsigned int link, int *active) { (void)device; (void)link; (void)active; return ERROR_NOT_SUPPORTED; }
int nvmlDeviceGetNvLinkRemotePciInfo_v2(void *device, unsigned int link, pci_info_t *pci) { (void)device; (void)link; (void)pci; return ERROR_NOT_SUPPORTED; }

int nvmlDeviceGetUtilizationRates(void *device, utilization_t *utilization)
{
    DEVICE(device);
    utilization->gpu = 37 + gpu->index;
    utilization->memory = 12;
    return SUCCESS;
}

int nvmlDeviceGetTemperature(void *device, int sensor, unsigned int *celsius) { DEVICE(device); (void)sensor; *celsius = 35 + gpu->index; return SUCCESS; }
int nvmlDeviceGetPowerUsage(void *device, unsigned int *milliwatts) { DEVICE(device); *milliwatts = 79980 + 1000 * gpu->index; return SUCCESS; }
int nvmlDeviceGetTotalEnergyConsumption(void *device, unsigned long long *millijoules) { DEVICE(device); *millijoules = 2532145ULL; return SUCCESS; }
int nvmlDeviceGetClockInfo(void *device, int type, unsigned int *mhz) { DEVICE(device); *mhz = type == 1 ? 1980 : 3201; return SUCCESS; }
/* Hopper retires rows, not pages: the H200 answers NOT_SUPPORTED here. */
int nvmlDeviceGetRetiredPagesPendingStatus(void *device, int *pending) { DEVICE(device); (void)pending; return ERROR_NOT_SUPPORTED; }

int nvmlDeviceGetRemappedRows(void *device, unsigned int *corrected, unsigned int *uncorrected, unsigned int *pending, unsigned int *failed)
{
    DEVICE(device);
    *corrected = *uncorrected = *pending = *failed = 0;
    return SUCCESS;
}

int nvmlDeviceGetTotalEccErrors(void *device, int type, int counter, unsigned long long *count) { DEVICE(device); (void)type; (void)counter; *count = 0; return SUCCESS; }
int nvmlEventSetCreate(void **set) { *set = &event_set_token; return SUCCESS; }
int nvmlDeviceGetSupportedEventTypes(void *device, unsigned long long *types) { DEVICE(device); *types = 0xff9f; return SUCCESS; }
int nvmlDeviceRegisterEvents(void *device, unsigned long long types, void *set) { DEVICE(device); (void)types; (void)set; return SUCCESS; }
int nvmlEventSetFree(void *set) { (void)set; return SUCCESS; }

int nvmlEventSetWait_v2(void *set, event_data_t *data, unsigned int timeout_ms)
{
    (void)set;
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    for (unsigned int waited = 0; waited <= timeout_ms; waited += 10) {
        FILE *file = xid_file ? fopen(xid_file, "r") : NULL;
        if (file) {
            int index = -1;
            unsigned long long xid = 0;
            unsigned int instance = 0xFFFFFFFF; /* what NVML reports for an event of the whole GPU */
            int read = fscanf(file, "%d %llu %u", &index, &xid, &instance);
            fclose(file);
            if (read < 2) {
                /* Caught between the file's creation and its write: read it again on the next tick. */
                nanosleep(&tick, NULL);
                continue;
            }
            unlink(xid_file);
            if (index >= 0 && index < gpu_count) {
                memset(data, 0, sizeof *data);
                data->device = &gpus[index];
                data->eventType = 0x8; /* nvmlEventTypeXidCriticalError */
                data->eventData = xid;
                data->gpuInstanceId = instance;
                data->computeInstanceId = instance == 0xFFFFFFFF ? 0xFFFFFFFF : 0;
                return SUCCESS;
            }
        }
        nanosleep(&tick, NULL);
    }
    return ERROR_TIMEOUT;
}

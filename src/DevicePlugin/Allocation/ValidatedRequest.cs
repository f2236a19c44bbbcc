using Grpc.Core;

namespace Platform.DevicePlugin.Allocation;

/// <summary>The outcome of <see cref="DeviceRequestValidator.Validate"/>: the distinct IDs, their devices and GPUs, or an error.</summary>
internal sealed record ValidatedRequest(
    IReadOnlyList<string> Ids,
    IReadOnlyList<AdvertisedDevice> Devices,
    IReadOnlyList<Inventory.GpuDevice> Gpus,
    AllocationError? Error)
{
    public static ValidatedRequest Fail(StatusCode code, string message, string? id) =>
        new([], [], [], new AllocationError(code, message, id));
}

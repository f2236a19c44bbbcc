using Grpc.Core;

namespace Platform.DevicePlugin.Allocation;

/// <summary>Why a request was refused: the gRPC status to answer with and a message naming the device and resource.</summary>
internal sealed record AllocationError(StatusCode Code, string Message, string? DeviceId)
{
    /// <summary>The status answered; the message is capped here, the one place every refusal passes (see <see cref="DeviceIdText"/>).</summary>
    public RpcException ToRpcException() => new(new Status(Code, DeviceIdText.Cap(Message)));
}

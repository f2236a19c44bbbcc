using Grpc.Core;

namespace Platform.DevicePlugin.Transport;

/// <summary>
/// The gist of a failed gRPC call for logs and readiness: an RpcException's Message also carries its
/// DebugException with every inner exception (over a kilobyte, repeated at every retry), while its
/// status code and detail say what went wrong.
/// </summary>
public static class RpcErrorText
{
    public static string Describe(Exception exception) =>
        exception is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : exception.Message;
}

using Grpc.Core;
using V1Beta1;

namespace Platform.Sandbox.Kubelet;

/// <summary><c>v1beta1.Registration/Register</c> as the kubelet serves it on kubelet.sock.</summary>
internal sealed class RegistrationService(KubeletSimulator kubelet) : Registration.RegistrationBase
{
    public override Task<Empty> Register(RegisterRequest request, ServerCallContext context)
    {
        // The kubelet refuses what it could never dial or account for, before dialling back.
        if (request.Version != KubeletSimulator.Version)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"unsupported device plugin API version {request.Version}; the kubelet speaks {KubeletSimulator.Version}"));
        }

        if (!request.ResourceName.Contains('/', StringComparison.Ordinal) || request.ResourceName.StartsWith("kubernetes.io/", StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"invalid extended resource name {request.ResourceName}"));
        }

        if (string.IsNullOrEmpty(request.Endpoint) || request.Endpoint.Contains('/', StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"endpoint {request.Endpoint} must be a socket file name in the device-plugin directory"));
        }

        // Like the kubelet, answer first and dial back in the background: the plugin may still be finishing Register.
        kubelet.Accept(request.ResourceName, request.Endpoint);
        return Task.FromResult(new Empty());
    }
}

using Platform.DevicePlugin.Serving;
using Platform.DevicePlugin.Transport;
using V1Beta1;

namespace Platform.DevicePlugin.Registration;

/// <summary>Calls <c>v1beta1.Registration/Register</c> on the kubelet's socket for one resource.</summary>
internal static class KubeletRegistrar
{
    public static async Task RegisterAsync(ResourcePlugin plugin, CancellationToken cancellationToken)
    {
        using var channel = UnixSocketChannel.Create(plugin.Settings.KubeletSocketPath);
        var client = new V1Beta1.Registration.RegistrationClient(channel);
        var request = new RegisterRequest
        {
            Version = KubeletPaths.ApiVersion,
            // The kubelet joins the endpoint to its own device-plugin directory: a file name, not a path.
            Endpoint = plugin.Resource.SocketName,
            ResourceName = plugin.ResourceName,
            Options = plugin.GetOptions(),
        };
        var deadline = DateTime.UtcNow.Add(plugin.Settings.RegistrationTimeout);
        await client.RegisterAsync(request, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

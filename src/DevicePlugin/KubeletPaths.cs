namespace Platform.DevicePlugin;

/// <summary>Kubelet constants from <c>pkg/apis/deviceplugin/v1beta1/constants.go</c> and the pod-resources API.</summary>
public static class KubeletPaths
{
    public const string DevicePluginDirectory = "/var/lib/kubelet/device-plugins";
    public const string KubeletSocketName = "kubelet.sock";
    public const string PodResourcesSocket = "/var/lib/kubelet/pod-resources/kubelet.sock";
    public const string ApiVersion = "v1beta1";
    public const string Healthy = "Healthy";
    public const string Unhealthy = "Unhealthy";
    public const int MaxDeviceIdLength = 63;
}

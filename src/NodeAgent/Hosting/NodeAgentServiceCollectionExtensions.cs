using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Configuration;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Hosting;
using Platform.NodeAgent.Diagnostics;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Health;
using Platform.NodeAgent.Inventory;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;
using Platform.NodeAgent.Metrics;
using Platform.NodeAgent.Remediation;
using Platform.NodeAgent.Remediation.Ray;

namespace Platform.NodeAgent.Hosting;

/// <summary>One registration method per feature; <see cref="AddNodeAgent"/> composes them.</summary>
internal static class NodeAgentServiceCollectionExtensions
{
    public static IServiceCollection AddNodeAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddKubernetesAccess(configuration);
        services.AddGpuDiscovery(configuration);
        services.AddMig(configuration);

        // Hosted services start in registration order, each BackgroundService's loop queued on the thread
        // pool as it starts: the device plugin goes first, so the kubelet registration (the agent's critical
        // path) is not queued behind the first health probe, NVML sample and pod-resources List.
        services.AddGpuDevicePlugin(configuration);
        services.AddGpuHealth(configuration);
        services.AddGpuMetrics(configuration);
        services.AddNodeLabels(configuration);
        services.AddGpuRemediation(configuration);
        services.AddSingleton<IReadinessContributor, AgentReadiness>();

        // Last, so it starts once everything above has.
        services.TryAddSingleton<MemoryRelease>();
        services.AddHostedService(sp => sp.GetRequiredService<MemoryRelease>());
        return services;
    }

    /// <summary>The device-plugin library (section <c>DevicePlugin</c>), fed from discovery and health.</summary>
    public static IServiceCollection AddGpuDevicePlugin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IHostedService, InventoryPublisher>();
        services.AddDevicePlugin(configuration);
        services.AddSingleton<IDevicePluginObserver, DevicePluginObserver>();
        services.AddSingleton<IReadinessContributor, DevicePluginReadiness>();
        services.TryAddSingleton(sp =>
        {
            var sharing = sp.GetRequiredService<IOptions<DevicePluginOptions>>().Value.Sharing;
            var shared = sharing.Replicas > 1 || sharing.Devices.Any(d => d.Replicas > 1);
            return new GpuSharing(sharing.Replicas, shared ? "time-slicing" : "none");
        });
        return services;
    }

    public static IServiceCollection AddKubernetesAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KubernetesOptions>().Bind(configuration.GetSection(KubernetesOptions.Section)).ValidateOnStart();
        services.AddOptions<NodeOptions>()
            .Bind(configuration.GetSection(NodeOptions.Section))
            .PostConfigure(o => o.Name ??= Environment.GetEnvironmentVariable("NODE_NAME"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NodeOptions>, LabelsOptionsValidator>());
        services.TryAddSingleton<KubernetesConnection>();
        return services;
    }

    public static IServiceCollection AddGpuDiscovery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GpuOptions>().Bind(configuration.GetSection(GpuOptions.Section)).ValidateOnStart();
        services.TryAddSingleton(ClusterDetector.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GpuOptions>, GpuOptionsValidator>());
        services.TryAddSingleton<GpuRuntime>();
        return services;
    }

    public static IServiceCollection AddGpuHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.TryAddSingleton(sp => new GpuHealthTracker(
            sp.GetRequiredService<GpuRuntime>().Discovery,
            sp.GetRequiredService<IOptions<HealthOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        services.TryAddSingleton<NodeEventPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeEventPublisher>());
        return services;
    }

    public static IServiceCollection AddGpuMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>());
        services.TryAddSingleton<AgentMetrics>();
        services.TryAddSingleton<IPodResourcesClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MetricsOptions>>().Value;
            return new PodResourcesClient(options.PodResourcesSocket, options.PodResourcesMaxReceiveBytes);
        });
        services.TryAddSingleton<GpuSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<GpuSampler>());
        services.TryAddSingleton<PodAttributionRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<PodAttributionRefresher>());
        services.TryAddSingleton<MetricsViewSource>();
        services.TryAddSingleton<MetricsPage>();
        return services;
    }

    public static IServiceCollection AddNodeLabels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LabelsOptions>().Bind(configuration.GetSection(LabelsOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LabelsOptions>, LabelsOptionsValidator>());
        services.TryAddSingleton<NodeLabelPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeLabelPublisher>());
        return services;
    }

    /// <summary>GPU fault remediation (section <c>Remediation</c>): annotate, drain through Ray, evict the pod holding a failed GPU.</summary>
    public static IServiceCollection AddGpuRemediation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RemediationOptions>().Bind(configuration.GetSection(RemediationOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemediationOptions>, RemediationOptionsValidator>());
        services.TryAddSingleton<IRayGcs>(sp => new RayGcsClient(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<GpuRemediationService>();
        services.AddHostedService(sp => sp.GetRequiredService<GpuRemediationService>());
        services.AddSingleton<IReadinessContributor, RemediationReadiness>();
        return services;
    }
}

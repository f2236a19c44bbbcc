using System.Globalization;
using System.Text;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Health;

namespace Platform.NodeAgent.Metrics;

/// <summary>
/// Renders the Prometheus text exposition (format 0.0.4): dcgm-exporter's metric names and labels so
/// existing Grafana dashboards work, then the agent's <c>raygpu_</c> metrics. Pure; golden-text tested.
/// A GPU shared by several pods (time-slicing) gets one series per pod holding a replica. A MIG
/// device gets its own series, labelled as dcgm-exporter labels them (its parent's labels plus
/// <c>GPU_I_PROFILE</c> and <c>GPU_I_ID</c>) and attributed to the pod holding it.
/// </summary>
internal static partial class MetricsWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private sealed record DcgmField(string Name, string Type, string Help, Func<GpuSample, string?> Value);

    private static readonly DcgmField[] Fields =
    [
        new("DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz).", s => Format(s.SmClockMHz)),
        new("DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz).", s => Format(s.MemClockMHz)),
        new("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C).", s => Format(s.TemperatureC)),
        new("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W).", s => s.PowerWatts?.ToString("0.###", CultureInfo.InvariantCulture)),
        new("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Total energy consumption since boot (in mJ).", s => Format(s.TotalEnergyMillijoules)),
        new("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %).", s => Format(s.GpuUtilPercent)),
        new("DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %).", s => Format(s.MemCopyUtilPercent)),
        new("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB).", s => Format(s.FbFreeMiB)),
        new("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB).", s => Format(s.FbUsedMiB)),
        new("DCGM_FI_DEV_FB_RESERVED", "gauge", "Framebuffer memory reserved (in MiB).", s => Format(s.FbReservedMiB)),
    ];

    private static readonly IReadOnlyList<PodRef> NoPod = [new PodRef(string.Empty, string.Empty, string.Empty, string.Empty, string.Empty)];

    public static void Write(StringBuilder output, MetricsView view)
    {
        // Label sets are built once per GPU and pod, then reused by every metric.
        var series = new List<(GpuReading Reading, string Labels)>();
        foreach (var reading in view.Snapshot.Readings)
        {
            var pods = view.Attribution.TryGetValue(reading.Device.Uuid, out var attributed) && attributed.Count > 0 ? attributed : NoPod;
            foreach (var pod in pods)
            {
                series.Add((reading, GpuLabels(reading.Device, null, view.Hostname, pod)));
            }
        }

        var migSeries = new List<(GpuSample? Sample, string Labels)>();
        foreach (var reading in view.Snapshot.MigReadings)
        {
            var pods = view.Attribution.TryGetValue(reading.Device.Uuid, out var attributed) && attributed.Count > 0 ? attributed : NoPod;
            foreach (var pod in pods)
            {
                migSeries.Add((reading.Sample, GpuLabels(reading.Parent, reading.Device, view.Hostname, pod)));
            }
        }

        foreach (var field in Fields)
        {
            Header(output, field.Name, field.Type, field.Help);
            foreach (var (sample, labels) in series.Select(s => (s.Reading.Sample, s.Labels)).Concat(migSeries))
            {
                if (sample is not null && field.Value(sample) is { } value)
                {
                    output.Append(field.Name).Append('{').Append(labels).Append("} ").Append(value).Append('\n');
                }
            }
        }

        Header(output, "DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered.");
        foreach (var (reading, labels) in series)
        {
            var xid = view.LastXid.TryGetValue(reading.Device.Uuid, out var last) ? last : 0;
            output.Append("DCGM_FI_DEV_XID_ERRORS{").Append(labels).Append("} ").Append(xid.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        WriteAgent(output, view);
    }

    private static void WriteAgent(StringBuilder output, MetricsView view)
    {
        Header(output, "raygpu_info", "gauge", "GPU driver the agent uses (value 1).");
        output.Append("raygpu_info{driver=\"").Append(Escape(view.Discovery.Source))
            .Append("\",driver_version=\"").Append(Escape(view.Discovery.DriverVersion))
            .Append("\",cuda_version=\"").Append(view.Discovery.CudaDriverVersion > 0 ? DriverVersion.FormatCuda(view.Discovery.CudaDriverVersion) : string.Empty)
            .Append("\",Hostname=\"").Append(Escape(view.Hostname)).Append("\"} 1\n");

        Header(output, "raygpu_device_health", "gauge", "1 for the health state each GPU is in, 0 for the other.");
        foreach (var (device, state, _) in view.Health)
        {
            foreach (var candidate in (ReadOnlySpan<GpuHealthState>)[GpuHealthState.Healthy, GpuHealthState.Unhealthy])
            {
                output.Append("raygpu_device_health{gpu=\"").Append(device.Index.ToString(CultureInfo.InvariantCulture))
                    .Append("\",UUID=\"").Append(Escape(device.Uuid))
                    .Append("\",state=\"").Append(StateName(candidate))
                    .Append("\"} ").Append(state == candidate ? '1' : '0').Append('\n');
            }
        }

        Header(output, "raygpu_devices", "gauge", "Number of GPUs by health state.");
        var healthy = view.Health.Count(h => h.State == GpuHealthState.Healthy);
        output.Append("raygpu_devices{state=\"healthy\"} ").Append(healthy.ToString(CultureInfo.InvariantCulture)).Append('\n');
        output.Append("raygpu_devices{state=\"unhealthy\"} ").Append((view.Health.Count - healthy).ToString(CultureInfo.InvariantCulture)).Append('\n');

        if (view.Resources.Count > 0)
        {
            // The found side of "fewer advertised than present" (DECISIONS 9): under a MIG strategy a resource
            // holds MIG devices, which sum(raygpu_devices) (physical GPUs) does not count.
            Header(output, "raygpu_found_devices", "gauge", "Devices discovery found for each resource under the MIG strategy (whole GPUs or MIG devices).");
            foreach (var (resource, found, _) in view.Resources)
            {
                output.Append("raygpu_found_devices{resource=\"").Append(Escape(resource)).Append("\"} ").Append(found.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        Header(output, "raygpu_health_transitions_total", "counter", "GPU health transitions by reason and new state.");
        foreach (var ((reason, to), transitions) in view.Agent.HealthTransitions.OrderBy(p => p.Key.Reason, StringComparer.Ordinal).ThenBy(p => p.Key.To, StringComparer.Ordinal))
        {
            output.Append("raygpu_health_transitions_total{reason=\"").Append(Escape(reason)).Append("\",to=\"").Append(Escape(to))
                .Append("\"} ").Append(transitions.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Counter(output, "raygpu_allocations_total", "Allocate calls answered successfully.", view.Agent.Allocations);
        Counter(output, "raygpu_allocation_failures_total", "Allocate calls answered with an error.", view.Agent.AllocationFailures);
        Counter(output, "raygpu_registrations_total", "Successful registrations with the kubelet.", view.Agent.Registrations);
        Counter(output, "raygpu_nvml_errors_total", "Driver calls that failed while sampling.", view.Agent.NvmlErrors);

        Histogram(output, "raygpu_allocate_duration_seconds", "Time to answer the kubelet's Allocate.", view.Agent.Latency);

        WriteDevicePlugin(output, view.Agent);
        WriteRemediation(output, view.Agent.Remediation);
    }

    /// <summary>Registration and the last device list per resource: what the kubelet was told, to set against discovery.</summary>
    private static void WriteDevicePlugin(StringBuilder output, AgentMetrics agent)
    {
        Header(output, "raygpu_device_plugin_registered", "gauge", "1 while the resource is registered with the kubelet, 0 while it is not.");
        foreach (var (resource, registered) in agent.Registered.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.Append("raygpu_device_plugin_registered{resource=\"").Append(Escape(resource)).Append("\"} ").Append(registered ? '1' : '0').Append('\n');
        }

        var advertised = agent.Advertised.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        Header(output, "raygpu_advertised_gpus", "gauge", "Devices behind the device list last sent to the kubelet, per resource: whole GPUs (a time-sliced GPU once) or MIG devices.");
        foreach (var (resource, list) in advertised)
        {
            output.Append("raygpu_advertised_gpus{resource=\"").Append(Escape(resource)).Append("\"} ").Append(list.Gpus.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Header(output, "raygpu_advertised_devices", "gauge", "Device IDs in the list last sent to the kubelet, by resource and health (time-sliced GPUs count once per replica).");
        foreach (var (resource, list) in advertised)
        {
            output.Append("raygpu_advertised_devices{resource=\"").Append(Escape(resource)).Append("\",health=\"healthy\"} ").Append(list.Healthy.ToString(CultureInfo.InvariantCulture)).Append('\n');
            output.Append("raygpu_advertised_devices{resource=\"").Append(Escape(resource)).Append("\",health=\"unhealthy\"} ").Append(list.Unhealthy.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static string GpuLabels(GpuDevice device, Gpu.Mig.MigDevice? mig, string hostname, PodRef pod)
    {
        var labels = new StringBuilder(256)
            .Append("gpu=\"").Append(device.Index.ToString(CultureInfo.InvariantCulture))
            .Append("\",UUID=\"").Append(Escape(device.Uuid))
            .Append("\",pci_bus_id=\"").Append(Escape(device.PciBusId))
            .Append("\",device=\"nvidia").Append(device.MinorNumber.ToString(CultureInfo.InvariantCulture))
            .Append("\",modelName=\"").Append(Escape(device.Name));
        if (mig is not null)
        {
            labels.Append("\",GPU_I_PROFILE=\"").Append(Escape(mig.Profile))
                .Append("\",GPU_I_ID=\"").Append(mig.GpuInstanceId.ToString(CultureInfo.InvariantCulture));
        }

        return labels
            .Append("\",Hostname=\"").Append(Escape(hostname))
            .Append("\",container=\"").Append(Escape(pod.Container))
            .Append("\",namespace=\"").Append(Escape(pod.Namespace))
            .Append("\",pod=\"").Append(Escape(pod.Pod))
            .Append("\",ray_cluster=\"").Append(Escape(pod.RayCluster))
            .Append("\",ray_group=\"").Append(Escape(pod.RayGroup))
            .Append('"')
            .ToString();
    }

    private static void Header(StringBuilder output, string name, string type, string help) =>
        output.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Counter(StringBuilder output, string name, string help, long value)
    {
        Header(output, name, "counter", help);
        output.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>A Prometheus histogram: cumulative buckets, +Inf, sum and count.</summary>
    private static void Histogram(StringBuilder output, string name, string help, DurationHistogram histogram)
    {
        Header(output, name, "histogram", help);
        var (cumulative, count, sum) = histogram.Read();
        for (var i = 0; i < histogram.Buckets.Length; i++)
        {
            output.Append(name).Append("_bucket{le=\"").Append(histogram.Buckets[i].ToString(CultureInfo.InvariantCulture))
                .Append("\"} ").Append(cumulative[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        output.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        output.Append(name).Append("_sum ").Append(sum.ToString("0.######", CultureInfo.InvariantCulture)).Append('\n');
        output.Append(name).Append("_count ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string StateName(GpuHealthState state) => state == GpuHealthState.Healthy ? "healthy" : "unhealthy";

    private static string? Format(uint? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Format(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Format(ulong? value) => value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>Label value escaping of the text format: backslash, double quote and newline.</summary>
    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
        {
            return value;
        }

        return value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}

using Platform.Sandbox.Agent;

namespace Platform.Sandbox.Tests.Agent;

public sealed class MetricsTextTests
{
    private const string Page = """
        # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
        # TYPE DCGM_FI_DEV_GPU_UTIL gauge
        DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",container="ray-worker",namespace="ml",pod="w-1",ray_cluster="rc",ray_group="g"} 66
        DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",container="",namespace="",pod="",ray_cluster="",ray_group=""} 40
        DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a",container="ray-worker",namespace="ml",pod="w-1",ray_cluster="rc",ray_group="g"} 1024
        DCGM_FI_DEV_FB_FREE{gpu="0",UUID="GPU-a",container="ray-worker",namespace="ml",pod="w-1",ray_cluster="rc",ray_group="g"} 3072
        DCGM_FI_DEV_XID_ERRORS{gpu="1",UUID="GPU-b",container="",namespace="",pod="",ray_cluster="",ray_group=""} 79
        raygpu_device_health{gpu="0",UUID="GPU-a",state="healthy"} 1
        raygpu_device_health{gpu="0",UUID="GPU-a",state="unhealthy"} 0
        raygpu_device_health{gpu="1",UUID="GPU-b",state="healthy"} 0
        raygpu_device_health{gpu="1",UUID="GPU-b",state="unhealthy"} 1
        raygpu_info{driver="simulated",Hostname="a \"quoted\\ name"} 1
        raygpu_registrations_total 3
        """;

    [Fact]
    public void Parse_ReadsNamesLabelsAndValues_WithEscapes()
    {
        var samples = MetricsText.Parse(Page);

        Assert.Equal(11, samples.Count);
        Assert.Equal("a \"quoted\\ name", Assert.Single(samples, s => s.Name == "raygpu_info").Label("Hostname"));
        Assert.Equal(3, Assert.Single(samples, s => s.Name == "raygpu_registrations_total").Value);
    }

    [Fact]
    public void GpuRow_JoinsUtilisationMemoryHealthAndPod()
    {
        var rows = GpuRow.From(MetricsText.Parse(Page));

        Assert.Equal(2, rows.Count);
        Assert.Equal(new GpuRow(0, "GPU-a", "ml/w-1", "rc", "g", 66, 1024, 4096, "healthy", 0), rows[0]);
        Assert.Equal(new GpuRow(1, "GPU-b", string.Empty, string.Empty, string.Empty, 40, 0, 0, "unhealthy", 79), rows[1]);
    }
}

defmodule Hello.Application do
  @moduledoc "Starts the HTTP listener under a supervisor."
  use Application

  @impl true
  def start(_type, _args) do
    port = String.to_integer(System.get_env("PORT", "4000"))
    children = [{Task, fn -> Hello.Server.listen(port) end}]
    Supervisor.start_link(children, strategy: :one_for_one, name: Hello.Supervisor)
  end
end

defmodule Hello.Server do
  @moduledoc "A minimal HTTP/1.1 server on :gen_tcp: one fixed answer per connection."

  def listen(port) do
    {:ok, socket} =
      :gen_tcp.listen(port, [:binary, packet: :http_bin, active: false, reuseaddr: true])

    IO.puts("listening on #{port}")
    accept(socket)
  end

  defp accept(socket) do
    {:ok, client} = :gen_tcp.accept(socket)
    read_headers(client)
    body = "hello from elixir #{System.version()}\n"

    :gen_tcp.send(client, [
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n",
      "content-length: #{byte_size(body)}\r\n\r\n",
      body
    ])

    :gen_tcp.close(client)
    accept(socket)
  end

  defp read_headers(client) do
    case :gen_tcp.recv(client, 0, 5000) do
      {:ok, :http_eoh} -> :ok
      {:ok, _line} -> read_headers(client)
      {:error, _} -> :ok
    end
  end
end
